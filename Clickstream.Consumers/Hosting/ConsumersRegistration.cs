using Clickstream.ServiceDefaults.Configuration;
using Clickstream.ServiceDefaults.Health;
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
    /// <c>Kafka:BootstrapServers</c>, and readiness checks. The shutdown timeout comes from the service defaults (<c>Ingestion:ShutdownTimeout</c>).
    /// </summary>
    public static IServiceCollection AddClickstreamConsumers(this IServiceCollection services)
    {
        services.AddKafkaOptions(
            "Kafka:BootstrapServers is required: the cluster to consume click events from (environment Kafka__BootstrapServers or KAFKA_BOOTSTRAP_SERVERS).");
        services.AddClickstreamConsumerServices();

        services.AddMassTransit(x =>
        {
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
    /// database's readiness. Used by the worker and by the API when it hosts the consumers in its own process; register
    /// it before MassTransit.
    /// </summary>
    public static IServiceCollection AddClickstreamConsumerServices(this IServiceCollection services)
    {
        services.AddClickEventStorage();
        services.AddIngestionBatchOptions();

        services.AddHealthChecks().AddKafkaRider("kafka-consumers", HealthEndpoints.ReadyTag);
        return services;
    }
}
