using Clickstream.Consumers.Configuration;
using Clickstream.Kafka;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Clickstream.Consumers.Hosting;

public static class ConsumersRegistration
{
    /// <summary>
    /// Everything the standalone worker runs: storage, the batch consumer on the Kafka rider against
    /// <c>Kafka:BootstrapServers</c>, readiness checks, and a shutdown timeout long enough to finish and commit batches.
    /// </summary>
    public static IServiceCollection AddClickstreamConsumers(this IServiceCollection services)
    {
        services.AddKafkaOptions(
            "Kafka:BootstrapServers is required: the cluster to consume click events from (environment Kafka__BootstrapServers or KAFKA_BOOTSTRAP_SERVERS).");
        services.AddClickstreamConsumerServices();

        services.AddMassTransit(x =>
        {
            // MassTransit would otherwise report usage to masstransit.io from every instance.
            x.DisableUsageTelemetry();
            // The bus only carries the rider; nothing is sent over its transport.
            x.UsingInMemory();
            x.AddRider(rider =>
            {
                rider.AddClickEventIngestion();
                rider.UsingKafka((context, kafka) =>
                {
                    IngestionRegistration.ReportInvalidOptions(context);
                    var options = context.GetRequiredService<IOptions<KafkaOptions>>().Value;
                    kafka.Host(options.ToClusterConfig());
                    kafka.ClickEventIngestionEndpoint(context);
                });
            });
        });
        return services;
    }

    /// <summary>
    /// What the consumers need besides the bus: storage (schema applied at start), batch options, the rider's and the
    /// database's readiness, and a shutdown timeout long enough to finish and commit batches. Used by the worker and
    /// by the API when it hosts the consumers in its own process; register it before MassTransit.
    /// </summary>
    public static IServiceCollection AddClickstreamConsumerServices(this IServiceCollection services)
    {
        services.AddClickEventStorage();
        services.AddIngestionBatchOptions();
        // HostOptions are read while the host is built, before start-up validation: bind the raw value here so invalid
        // ingestion settings are reported at start together with every other problem.
        services.AddOptions<HostOptions>().Configure<IConfiguration>((host, configuration) =>
            host.ShutdownTimeout = IngestionShutdown.Timeout(configuration));

        services.AddHealthChecks().AddKafkaRider("kafka-consumers", HealthEndpoints.ReadyTag);
        return services;
    }
}
