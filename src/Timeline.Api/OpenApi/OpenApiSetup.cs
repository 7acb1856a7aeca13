using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Timeline.Model.Vocabulary;

namespace Timeline.Api.OpenApi;

/// <summary>The OpenAPI document at /openapi/v1.json and Swagger UI at /swagger.</summary>
public static class OpenApiSetup
{
    /// <summary>
    /// Example values shown in Swagger UI for the parameters every endpoint shares, by name. "Try it out" fills in every
    /// example at once, so together they make one working request: the event filters all select SMIC's listing in
    /// December 2020 (smic-added-to-us-sanctions-list), which the seeded data has. A parameter that repeats (an array)
    /// gets its example as an array of values (OpenApiContractTests checks the request built from them finds something).
    /// </summary>
    private static readonly Dictionary<string, JsonNode> ParameterExamples = new(StringComparer.Ordinal)
    {
        ["from"] = "2020-12",
        ["to"] = "2023-08-31",
        ["category"] = "entity-listing",
        ["entity"] = "smic",
        ["tag"] = "smic",
        ["source"] = "ft-derived-huawei-smic-kirin-9000s",
        ["sort"] = "-date",
        ["kind"] = "company",
        ["q"] = "sanctions",
        ["facet"] = "category",
        ["reason"] = "Dated to the Federal Register publication (85 FR 83416)",
        ["dryRun"] = "false",
        ["history"] = "false",
    };

    /// <summary>Examples of one route's parameters where the shared ones would not combine: route, then name.</summary>
    private static readonly Dictionary<(string Route, string Name), JsonNode> RouteParameterExamples = new()
    {
        // The entity list's q matches names and aliases: "charlotte" is the Kirin 9000S's code name, a chip.
        [("entities", "q")] = "charlotte",
        [("entities", "kind")] = "chip",
        // Matching a name: the words of Xu Zhijun's name in the Western order find him (word-order), a person.
        [("entities/match", "name")] = "Zhijun Xu",
        [("entities/match", "kind")] = "person",

        // A passage search: the phrase has a hyphen where the source has an em dash ("list—meaning"), and finds it.
        [("sources/{id}/passages", "id")] = "ft-derived-huawei-smic-kirin-9000s",
        [("sources/{id}/passages", "phrase")] = "SMIC joined Huawei on the US sanctions list - meaning",
    };

    public static IServiceCollection AddTimelineOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi(options =>
        {
            // The statuses the pipeline answers around the handlers (304, 403, 413, 414, 415), on every operation they reach.
            options.AddPipelineStatuses();

            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Timeline API",
                    Version = "v1",
                    Description =
                        """
                        The timeline of semiconductor sanctions and the industry's response to them (the 2020 US sanctions on Huawei,
                        SMIC's listing in December 2020, the Mate 60 and its Kirin 9000S in August 2023, Huawei Connect with its Kirin and
                        Ascend chips). Every event cites the exact words of its source, with the quote's offsets in the source text.

                        Dates are given at the precision their source states: a year (`2020`), a month (`2020-12`) or a day
                        (`2020-12-18`), never more. Where a source is unsure or contradicts itself, the event says so in `caveats`.

                        Errors are RFC 9457 problem details (`application/problem+json`) naming the parameter at fault.

                        For people rather than programs: [the timeline page](/timeline) shows every event with its sources' exact
                        words highlighted where they stand.
                        """,
                };
                AddClosedVocabularies(document);
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["ApiKey"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key, sent as 'Authorization: Bearer <key>'. Reads need none; writes need an editor key, imports an admin key.",
                };

                // The server is the API's root, as the client joins paths (all beginning with /) to it: no trailing slash.
                foreach (var server in document.Servers ?? [])
                {
                    if (server.Url is { Length: > 1 } url && url.EndsWith('/'))
                    {
                        server.Url = url.TrimEnd('/');
                    }
                }

                return Task.CompletedTask;
            });

            options.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Any())
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", context.Document)] = [] });
                }
                else
                {
                    // A public read: no key needed, said explicitly (`security: []`).
                    operation.Security = [];
                }

                return Task.CompletedTask;
            });

            // A renamed record answers at its former ids (Redirects/FormerIdRedirects.cs): every GET of a record or of its
            // sub-resources says so.
            options.AddOperationTransformer(async (operation, context, cancellationToken) =>
            {
                var route = context.Description.RelativePath ?? string.Empty;
                if (string.Equals(context.Description.HttpMethod, "GET", StringComparison.OrdinalIgnoreCase)
                    && (route.StartsWith("events/{id}", StringComparison.Ordinal) || route.StartsWith("entities/{id}", StringComparison.Ordinal) || route.StartsWith("sources/{id}", StringComparison.Ordinal)))
                {
                    operation.Responses ??= [];
                    operation.Responses["301"] = new OpenApiResponse
                    {
                        Description = "The id is a former id of a renamed record (its `formerIds`): the Location header names the same resource at the record's current id; the body is a problem-style object with `currentId` and `location`.",
                        Headers = new Dictionary<string, IOpenApiHeader>
                        {
                            ["Location"] = new OpenApiHeader
                            {
                                Description = "The same path at the record's current id, with the same query, as /events/smic-added-to-entity-list.",
                                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                            },
                        },
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            ["application/problem+json"] = new()
                            {
                                Schema = await context.GetOrCreateSchemaAsync(typeof(Redirects.FormerIdMoved), cancellationToken: cancellationToken),
                            },
                        },
                    };
                }
            });

            // A property the serializer leaves out when it is null ([JsonIgnore(Condition = WhenWritingNull)], as the
            // TimelineJS export's end_date, month and day) is never written as null: it is optional, and not nullable.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonTypeInfo.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object)
                {
                    foreach (var property in context.JsonTypeInfo.Properties)
                    {
                        if (OmittedWhenNull(property))
                        {
                            schema.Required?.Remove(property.Name);
                        }
                    }
                }

                // A document the API reads (the dataset format's records, sent to writes and imports) may carry the property as
                // null, which the server takes as absent: there it stays nullable, so a generated client can leave it unset
                // (a non-nullable `occurrence` would be sent as 0).
                if (context.JsonPropertyInfo is { } omitted && OmittedWhenNull(omitted)
                    && omitted.DeclaringType.Namespace != typeof(Timeline.Model.Dataset.DatasetDocument).Namespace)
                {
                    if (schema.Type is { } type)
                    {
                        schema.Type = type & ~JsonSchemaType.Null;
                    }

                    // A property of a component schema's type is written as oneOf [null, $ref] when this mark is set.
                    schema.Metadata?.Remove("x-is-nullable-property");
                }

                return Task.CompletedTask;
            });

            // The API's serializer options read numbers from strings too (JsonSerializerDefaults.Web sets
            // JsonNumberHandling.AllowReadingFromString), which makes the generator type every number as
            // `integer | string` with a digits pattern. The API only ever writes numbers as numbers, and that is what the
            // document says; the serializer options (and what the API writes) are left as they are.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (IsNumber(context.JsonTypeInfo.Type) && schema.Type is { } type && type.HasFlag(JsonSchemaType.String)
                    && (type.HasFlag(JsonSchemaType.Integer) || type.HasFlag(JsonSchemaType.Number)))
                {
                    schema.Type = type & ~JsonSchemaType.String;
                    schema.Pattern = null;
                }

                return Task.CompletedTask;
            });

            options.AddDocumentTransformer<FacetCountsSchema>();
            options.AddDocumentTransformer<TagDescriptions>();

            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (SchemaExamples.For(context.JsonTypeInfo.Type) is { } example)
                {
                    schema.Examples = [example];
                }

                return Task.CompletedTask;
            });

            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                var headers = metadata.OfType<ResponseHeader>().ToList();
                if (metadata.OfType<Caching.RecordETag>().Any())
                {
                    // A GET of one record answers with the record's own ETag (Curation/RecordResponses).
                    headers.Add(new ResponseHeader("ETag", RecordETags.Description, RecordETags.Example));
                }

                foreach (var ifMatch in metadata.OfType<IfMatchHeader>().Take(1))
                {
                    var plural = (context.Description.RelativePath ?? string.Empty).Split('/')[0];
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = "If-Match",
                        In = ParameterLocation.Header,
                        Required = ifMatch.Required,
                        Description = RecordETags.IfMatchDescription.Replace("{plural}", plural, StringComparison.Ordinal)
                            + (ifMatch.Required ? string.Empty : " Optional here: without it the deleted record is restored whatever its version."),
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                        Example = RecordETags.Example,
                    });
                }

                foreach (var header in headers)
                {
                    foreach (var (status, success) in operation.Responses ?? [])
                    {
                        if (status.StartsWith('2') && success is OpenApiResponse response)
                        {
                            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
                            response.Headers[header.Name] = new OpenApiHeader
                            {
                                Description = header.Description,
                                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                                Example = header.Example ?? "\"entities \\u0027lonely-agency\\u0027: is linked to no event; link it, or mark it \\u0022standalone\\u0022: true if it is kept on purpose\"",
                            };
                        }
                    }
                }

                return Task.CompletedTask;
            });

            // POST /sources as text/plain or multipart, PATCH as JSON Patch: their bodies and examples.
            options.AddOperationTransformer(WriteBodyDocs.TransformAsync);

            options.AddOperationTransformer((operation, context, _) =>
            {
                foreach (var extra in context.Description.ActionDescriptor.EndpointMetadata.OfType<AlsoProduces>())
                {
                    operation.Responses ??= [];
                    if (!operation.Responses.TryGetValue("200", out var ok) || ok is not OpenApiResponse response)
                    {
                        response = new OpenApiResponse { Description = "OK" };
                        operation.Responses["200"] = response;
                    }

                    response.Content ??= new Dictionary<string, OpenApiMediaType>();
                    response.Content[extra.ContentType] = new OpenApiMediaType
                    {
                        // A file, not JSON: generated clients hand it back as a stream (NSwag's FileResponse, Kiota's Stream).
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = extra.Description },
                    };
                }

                // A parameter bound only to be refused with its own explanation is no parameter of the endpoint.
                foreach (var refused in operation.Parameters?.Where(p => p.In == ParameterLocation.Query && p.Name is { } name
                    && ParameterAttribute<RefusedParameterAttribute>(context, name) is not null).ToList() ?? [])
                {
                    operation.Parameters!.Remove(refused);
                }

                foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
                {
                    if (parameter.Name is null)
                    {
                        continue;
                    }

                    if (parameter.In == ParameterLocation.Query && ParameterAttribute<RequiredParameterAttribute>(context, parameter.Name) is not null)
                    {
                        parameter.Required = true;
                    }

                    if (parameter.In == ParameterLocation.Query && ClosedVocabularies.TryGetValue(parameter.Name, out var vocabulary))
                    {
                        // One shared component schema per closed value set, referenced wherever it is taken, so that a
                        // generated client has one enum type (EventSort, Category...) rather than one per operation.
                        IOpenApiSchema closed = new OpenApiSchemaReference(vocabulary.Component, context.Document);
                        parameter.Schema = parameter.Schema?.Type is { } type && type.HasFlag(JsonSchemaType.Array)
                            ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = closed }
                            : closed;
                    }

                    if (parameter.In == ParameterLocation.Query && parameter.Name is "from" or "to")
                    {
                        parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = @"^\d{4}(-\d{2}(-\d{2})?)?$" };
                    }

                    if (parameter.In == ParameterLocation.Query && ParameterAttribute<IntegerParameterAttribute>(context, parameter.Name) is { } integer)
                    {
                        // Bound as text so that a bad value gets a problem naming it; documented as what it is, with the
                        // bounds and default of this endpoint.
                        parameter.Schema = new OpenApiSchema
                        {
                            Type = JsonSchemaType.Integer,
                            Format = "int32",
                            Minimum = integer.Minimum.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            Maximum = integer.Maximum.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            Default = integer.Default,
                        };
                        parameter.Example = integer.Example;
                    }

                    if ((parameter.In == ParameterLocation.Query || parameter.In == ParameterLocation.Path)
                        && (RouteParameterExamples.TryGetValue(((context.Description.RelativePath ?? string.Empty).Trim('/'), parameter.Name), out var example)
                            || (parameter.In == ParameterLocation.Query && ParameterExamples.TryGetValue(parameter.Name, out example))))
                    {
                        parameter.Example = parameter.Schema?.Type is { } exampleType && exampleType.HasFlag(JsonSchemaType.Array)
                            ? new JsonArray(example.DeepClone())
                            : example.DeepClone();
                    }

                    if (parameter.In == ParameterLocation.Query && parameter.Name == "cursor"
                        && operation.Responses?.TryGetValue("200", out var page) == true && page is OpenApiResponse pageResponse)
                    {
                        pageResponse.Headers ??= new Dictionary<string, IOpenApiHeader>();
                        pageResponse.Headers["Link"] = new OpenApiHeader
                        {
                            Description = "RFC 8288 link to the next page, `<...>; rel=\"next\"`, with the same parameters and the next cursor; absent on the last page.",
                            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                        };
                    }

                    if (parameter.In == ParameterLocation.Path && string.IsNullOrEmpty(parameter.Description))
                    {
                        parameter.Description = parameter.Name switch
                        {
                            "id" => "The record's id: a readable slug.",
                            "version" => "A version number of the record, from 1.",
                            _ => parameter.Description,
                        };
                        if (parameter.Name == "version")
                        {
                            // A string, as its schema says: a path segment (not a number is a 404, not a 400).
                            parameter.Example = "1";
                        }
                    }

                    if (parameter.In == ParameterLocation.Path && parameter.Name == "id" && parameter.Example is null)
                    {
                        parameter.Example = operation.Tags?.FirstOrDefault()?.Name switch
                        {
                            "Entities" => "kirin-9000s",
                            "Sources" => "ft-derived-huawei-smic-kirin-9000s",
                            _ => "smic-added-to-us-sanctions-list",
                        };
                    }
                }

                return Task.CompletedTask;
            });
        });
        return services;
    }

    /// <summary>The attribute on the handler parameter or [AsParameters] property that binds query parameter <paramref name="name"/>.</summary>
    private static T? ParameterAttribute<T>(OpenApiOperationTransformerContext context, string name)
        where T : Attribute =>
        context.Description.ParameterDescriptions
            .Where(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
            .Select(d => d.ParameterDescriptor is Microsoft.AspNetCore.Mvc.Infrastructure.IParameterInfoParameterDescriptor { ParameterInfo: { } info }
                ? info.GetCustomAttributes(typeof(T), inherit: true).OfType<T>().FirstOrDefault()
                : null)
            .FirstOrDefault(a => a is not null);

    private static bool OmittedWhenNull(System.Text.Json.Serialization.Metadata.JsonPropertyInfo property) =>
        property.AttributeProvider?.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonIgnoreAttribute), inherit: true)
            .OfType<System.Text.Json.Serialization.JsonIgnoreAttribute>()
            .Any(a => a.Condition is System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull or System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault) == true;

    private static bool IsNumber(Type type) =>
        (Nullable.GetUnderlyingType(type) ?? type) is var t
        && (t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(byte) || t == typeof(sbyte)
            || t == typeof(uint) || t == typeof(ulong) || t == typeof(ushort) || t == typeof(double) || t == typeof(float) || t == typeof(decimal));

    /// <summary>A closed value set a query parameter takes, documented once as a component schema.</summary>
    private sealed record ClosedVocabulary(string Component, string Summary, IReadOnlyList<Term> Terms, string? Default = null);

    /// <summary>The closed value sets of the query parameters, by parameter name.</summary>
    private static readonly Dictionary<string, ClosedVocabulary> ClosedVocabularies = new(StringComparer.Ordinal)
    {
        ["category"] = new("Category", "An event's category.", Vocabularies.Categories),
        ["kind"] = new("EntityKind", "An entity's kind.", Vocabularies.EntityKinds),
        ["sort"] = new("EventSort", "The order of the events.",
        [
            new("date", "Oldest first, by the start of each event's interval."),
            new("-date", "Newest first."),
            new("relevance", "Best match of q first; only with q."),
        ], Default: "date"),
        ["facet"] = new("Facet", "A facet events are counted by.",
        [
            new(FacetNames.Category, "The event's category."),
            new(FacetNames.Year, "Each year the event's interval overlaps."),
            new(FacetNames.Entity, "The entities the event involves."),
            new(FacetNames.Tag, "The event's tags."),
        ]),
    };

    /// <summary>Closed value sets found only in bodies (not taken as query parameters), documented the same way.</summary>
    private static readonly ClosedVocabulary[] BodyVocabularies =
    [
        new("Role", "The part an entity plays in an event (GET /roles).", Vocabularies.Roles),
        new("MatchFeature", "Why a name matched an entity (GET /entities/match).", EntityMatcher.Features),
    ];

    /// <summary>The properties of the answers and bodies that take a closed value set: schema, property, component.</summary>
    private static readonly (string Schema, string Property, string Component)[] VocabularyProperties =
    [
        ("EntityItem", "kind", "EntityKind"),
        ("EntityMatchItem", "kind", "EntityKind"),
        ("EventEntity", "kind", "EntityKind"),
        ("EventEntity", "role", "Role"),
        ("EntityLinkDocument", "role", "Role"),
        ("EntityDocument", "kind", "EntityKind"),
        ("MatchReason", "feature", "MatchFeature"),
    ];

    private static void AddClosedVocabularies(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var vocabulary in ClosedVocabularies.Values.Concat(BodyVocabularies))
        {
            document.Components.Schemas[vocabulary.Component] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = vocabulary.Summary + " One of: " + string.Join(" ", vocabulary.Terms.Select(t => $"`{t.Id}`: {t.Description}")),
                Enum = vocabulary.Terms.Select(t => (JsonNode)t.Id).ToList(),
                Default = vocabulary.Default,
            };
        }

        // A property holding one of them refers to it, keeping its own description.
        foreach (var (schemaName, property, component) in VocabularyProperties)
        {
            if (document.Components.Schemas.TryGetValue(schemaName, out var schema) && schema is OpenApiSchema owner
                && owner.Properties?.TryGetValue(property, out var existing) == true)
            {
                owner.Properties[property] = new OpenApiSchemaReference(component, document) { Description = existing.Description };
            }
        }
    }

    public static WebApplication UseTimelineOpenApi(this WebApplication app)
    {
        // The one document there is: any other name falls through to the unknown route's 404 problem (the OpenAPI
        // endpoint itself answered an empty text/plain 404 for /openapi/v2.json).
        app.MapOpenApi("/openapi/{documentName:regex(^v1$)}.json");
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint("/openapi/v1.json", "Timeline API v1");
            options.RoutePrefix = "swagger";
            options.DocumentTitle = "Timeline API";
            options.EnableTryItOutByDefault();
            options.DisplayRequestDuration();
        });
        app.MapGet("/", () => TypedResults.Redirect("/swagger"))
            .ExcludeFromDescription();
        return app;
    }
}
