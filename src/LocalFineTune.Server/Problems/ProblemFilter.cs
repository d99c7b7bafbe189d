namespace LocalFineTune.Server.Problems;

/// <summary>Turns a client's mistake thrown anywhere in a handler (see <see cref="ClientErrors"/>) into its ProblemDetails answer.</summary>
public static class ProblemFilter
{
    public static TBuilder WithApiProblems<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (ApiProblemException problem)
            {
                return problem.ToResult();
            }
            catch (Exception e) when (ClientErrors.Find(e) is { } error)
            {
                return ApiProblems.Create(error.Status, error.Status == 404 ? "Not found" : "Invalid request", error.Param, error.Code, error.Message);
            }
        });
}
