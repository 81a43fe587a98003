using Clickstream.Api.Apis;
using Clickstream.Api.Docs;
using Clickstream.Api.Extensions;
using Clickstream.Api.Health;

var builder = WebApplication.CreateBuilder(args);
builder.AddClickstreamApi();

var app = builder.Build();
app.UseClickstreamApi();
app.MapEventsApi();
app.MapHealthApi();
app.MapApiDocs();
app.Run();

/// <summary>Entry point, public for WebApplicationFactory in the tests.</summary>
public partial class Program;
