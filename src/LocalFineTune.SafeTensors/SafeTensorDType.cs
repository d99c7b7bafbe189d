namespace LocalFineTune.SafeTensors;

/// <summary>
/// Element types of the safetensors format. The numeric values follow the order of the
/// reference implementation's <c>Dtype</c> enum (increasing alignment), because the writer
/// sorts by that order and we want byte-identical files.
/// Sub-byte types (F4, F6_*) are not supported: their byte ranges are not whole elements.
/// </summary>
public enum SafeTensorDType
{
    BOOL = 0,
    U8 = 4,
    I8 = 5,
    F8_E5M2 = 6,
    F8_E4M3 = 7,
    F8_E8M0 = 8,
    F8_E4M3FNUZ = 9,
    F8_E5M2FNUZ = 10,
    I16 = 11,
    U16 = 12,
    F16 = 13,
    BF16 = 14,
    I32 = 15,
    U32 = 16,
    F32 = 17,
    C64 = 18,
    F64 = 19,
    I64 = 20,
    U64 = 21,
}
