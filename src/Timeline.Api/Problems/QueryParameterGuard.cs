using System.Reflection;
using Microsoft.AspNetCore.Mvc;

namespace Timeline.Api.Problems;

/// <summary>
/// Checks the query string against the parameters the endpoint's handler declares, before it runs: an
/// unknown parameter (a misspelt filter), an empty value, a repeated single-valued parameter, or a value holding
/// a NUL character is a 400 naming it, never silently ignored or glued together.
/// </summary>
public static class QueryParameterGuard
{
    public static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var (single, repeatable, refused) = Declared(context.MethodInfo);

        // What the problem says the endpoint takes: not a parameter bound only to be refused (GET /search's cursor).
        var known = single.Union(repeatable, StringComparer.OrdinalIgnoreCase).Except(refused, StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal).ToList();
        return async invocation =>
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var (key, values) in invocation.HttpContext.Request.Query)
            {
                // Names are matched whatever their case (as the binder matches them); a problem names the declared one.
                var name = single.TryGetValue(key, out var declared) || repeatable.TryGetValue(key, out declared)
                    ? declared
                    : key.Length > 60 ? string.Concat(key.AsSpan(0, 60), "…") : key;
                if (!single.Contains(key) && !repeatable.Contains(key))
                {
                    errors[name] = [known.Count == 0
                        ? $"'{name}' is not a parameter of this endpoint, which takes none"
                        : $"'{name}' is not a parameter of this endpoint; it takes {string.Join(", ", known)}"];
                }
                else if (values.Any(string.IsNullOrEmpty))
                {
                    errors[name] = ["is empty; leave the parameter out rather than give it no value"];
                }
                else if (values.Count > 1 && single.Contains(key))
                {
                    errors[name] = ["is given more than once; it takes one value"];
                }
                else if (values.Any(v => v!.Contains('\0', StringComparison.Ordinal)))
                {
                    // No id, tag, category, date or stored text holds U+0000 (writes refuse it), so no value with one can
                    // match anything; said here, once, for every parameter and both engines (PostgreSQL cannot even
                    // compare such a value with its text).
                    errors[name] = ["holds a NUL character (U+0000, %00), which no id, tag, date or text of the timeline holds; leave it out"];
                }
            }

            return errors.Count > 0 ? QueryProblems.Invalid(errors) : await next(invocation);
        };
    }

    /// <summary>
    /// The query parameters a handler binds: [FromQuery] parameters and the [FromQuery] properties of [AsParameters]
    /// records; and of those, the ones bound only to be refused with an explanation of their own ([RefusedParameter]).
    /// </summary>
    private static (HashSet<string> Single, HashSet<string> Repeatable, HashSet<string> Refused) Declared(MethodInfo method)
    {
        var single = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var repeatable = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var refused = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in method.GetParameters())
        {
            if (parameter.GetCustomAttribute<AsParametersAttribute>() is not null)
            {
                foreach (var property in parameter.ParameterType.GetProperties())
                {
                    if (property.GetCustomAttribute<FromQueryAttribute>() is { } fromQuery)
                    {
                        Add(fromQuery.Name ?? property.Name, property.PropertyType, property.IsDefined(typeof(Timeline.Api.OpenApi.RefusedParameterAttribute)));
                    }
                }
            }
            else if (parameter.GetCustomAttribute<FromQueryAttribute>() is { } fromQuery)
            {
                Add(fromQuery.Name ?? parameter.Name!, parameter.ParameterType, parameter.IsDefined(typeof(Timeline.Api.OpenApi.RefusedParameterAttribute)));
            }
        }

        return (single, repeatable, refused);

        void Add(string name, Type type, bool isRefused)
        {
            (type.IsArray ? repeatable : single).Add(name);
            if (isRefused)
            {
                refused.Add(name);
            }
        }
    }
}
