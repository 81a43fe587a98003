using Clickstream.ServiceDefaults.Configuration;
using Clickstream.Consumers.Configuration;
using Clickstream.Consumers.Consuming;
using Clickstream.Consumers.Storage;
using Clickstream.Contracts;
using Clickstream.Kafka.Configuration;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Clickstream.Consumers.Hosting;

/// <summary>
/// The pieces that consume click events, to compose into any MassTransit bus with the Kafka rider (the worker's, or
/// the API's when it hosts the consumers in-process).
/// </summary>
public static class IngestionRegistration
{
    /// <summary>
    /// librdkafka settings for the ingestion endpoint's consumer only (<c>Kafka:ConsumerSettings:session.timeout.ms</c>),
    /// where <c>Kafka:Settings</c> would reach producers too.
    /// </summary>
    public const string ConsumerSettingsSection = "Kafka:ConsumerSettings";

    /// <summary><see cref="IngestionBatchOptions"/> from the "Ingestion" section, validated at start.</summary>
    public static IServiceCollection AddIngestionBatchOptions(this IServiceCollection services)
    {
        services.AddOptions<IngestionBatchOptions>()
            .BindConfiguration(IngestionBatchOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IngestionBatchOptions>, IngestionBatchOptionsValidator>());
        return services;
    }

    /// <summary>Registers <see cref="ClickEventBatchConsumer"/> with its batch limits, and its metrics, on the rider.</summary>
    public static void AddClickEventIngestion(this IRiderRegistrationConfigurator rider)
    {
        rider.AddMetrics();
        rider.TryAddSingleton<StoreMetrics>();
        rider.AddConsumer<ClickEventBatchConsumer, ClickEventBatchConsumerDefinition>();
    }

    /// <summary>
    /// The topic endpoint that feeds <see cref="ClickEventBatchConsumer"/>: <see cref="KafkaOptions.Topic"/> in group
    /// <see cref="KafkaOptions.GroupId"/>, with the in-flight limit and checkpoints of <see cref="IngestionBatchOptions"/>.
    /// </summary>
    public static void ClickEventIngestionEndpoint(this IKafkaFactoryConfigurator kafka, IRiderRegistrationContext context)
    {
        ReportInvalidOptions(context);
        var topic = context.GetRequiredService<IOptions<KafkaOptions>>().Value;
        var batch = context.GetRequiredService<IOptions<IngestionBatchOptions>>().Value;
        var consumerSettings = context.GetRequiredService<IConfiguration>().GetSection(ConsumerSettingsSection).Get<Dictionary<string, string>>();
        kafka.TopicEndpoint<ClickEvent>(topic.Topic, topic.GroupId, e =>
        {
            e.Settings.ConcurrentMessageLimit = batch.EffectiveConcurrentMessageLimit;
            e.Settings.CheckpointInterval = batch.CheckpointInterval;
            e.Settings.CheckpointMessageCount = batch.CheckpointMessageCount;
            e.Settings.DrainTimeout = batch.DrainTimeout;
            e.Settings.StallAfter = batch.StallAfter;
            e.Settings.Reader = ClickEventWireReader.Read;
            foreach (var (name, value) in consumerSettings ?? [])
            {
                e.Settings.ConsumerSettings[name] = value;
            }
            e.ConfigureConsumer<ClickEventBatchConsumer>(context);
        });
    }

    /// <summary>
    /// MassTransit builds the bus, and so reads options, while the host builds its hosted services, before the host's
    /// own start-up validation: run that validation first, so every invalid setting is reported at once.
    /// </summary>
    public static void ReportInvalidOptions(IServiceProvider services) =>
        services.GetService<IStartupValidator>()?.Validate();
}
