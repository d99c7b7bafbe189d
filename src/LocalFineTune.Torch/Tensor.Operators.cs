namespace LocalFineTune.Torch;

/// <summary>Arithmetic operators, so model code reads like the math. Each allocates a new tensor.</summary>
public sealed partial class Tensor
{
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    public static Tensor operator +(Tensor a, double b) => a.Add(b);
    public static Tensor operator -(Tensor a, double b) => a.Add(-b);
    public static Tensor operator *(Tensor a, double b) => a.Mul(b);
    public static Tensor operator /(Tensor a, double b) => a.Div(b);
    public static Tensor operator +(double a, Tensor b) => b.Add(a);
    public static Tensor operator -(double a, Tensor b) => b.RSub(a);
    public static Tensor operator *(double a, Tensor b) => b.Mul(a);
    public static Tensor operator -(Tensor a) => a.Neg();
}
