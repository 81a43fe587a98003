using Microsoft.OpenApi;

namespace Clickstream.Api.Docs;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c> and Swagger UI at <c>/docs</c> (the address users of the
/// original Python service know).
/// </summary>
public static class ApiDocs
{
    public const string DocumentPath = "/openapi/v1.json";

    public static IServiceCollection AddApiDocs(this IServiceCollection services)
    {
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Clickstream API";
                document.Info.Description = "Ingests click events. A 202 means Kafka acknowledged the events; "
                    + "errors are RFC 9457 problem details keyed by the fields as sent.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["ApiKey"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = Security.ApiKeyDefaults.HeaderName,
                    Description = "Required when the server has Api:Keys configured; Authorization: Bearer <key> works too.",
                };
                return Task.CompletedTask;
            });
            o.AddOperationTransformer(EventExamples.ApplyAsync);
            o.AddSchemaTransformer(ClickEventSchema.ApplyAsync);
        });
        return services;
    }

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi().DisableRateLimiting();
        app.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = "docs";
            ui.DocumentTitle = "Clickstream API";
            ui.SwaggerEndpoint(DocumentPath, "Clickstream API v1");
        });
        return app;
    }
}
