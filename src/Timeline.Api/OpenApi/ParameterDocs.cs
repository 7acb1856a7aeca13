namespace Timeline.Api.OpenApi;

/// <summary>
/// A query parameter bound as text (so that a bad value gets a problem naming it) that takes an integer: the OpenAPI
/// document gives it as what it is, an int32 from <see cref="Minimum"/> to <see cref="Maximum"/>, with its default and
/// an example. Put on the property or handler parameter that binds it, so each endpoint documents its own bounds.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class IntegerParameterAttribute(int minimum, int maximum, int @default) : Attribute
{
    public int Minimum { get; } = minimum;

    public int Maximum { get; } = maximum;

    public int Default { get; } = @default;

    public int Example { get; init; } = @default;
}

/// <summary>A query parameter the endpoint refuses without it (checked by the handler, so the 400 names it): documented as required.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class RequiredParameterAttribute : Attribute;

/// <summary>
/// A query parameter bound only so that it is refused with a problem of its own (GET /search's cursor: search is not
/// paged) rather than the generic "not a parameter": it is no parameter of the endpoint, so the document leaves it out.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class RefusedParameterAttribute : Attribute;
