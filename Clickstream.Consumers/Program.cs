using Clickstream.Consumers.Configuration;
using Clickstream.Consumers.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddLegacyEnvironmentNames();
builder.Services.AddClickstreamConsumers();

var app = builder.Build();
app.MapClickstreamHealth();
app.Run();
