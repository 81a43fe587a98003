using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;

namespace Clickstream.Kafka.Consuming;

/// <summary>
/// Builds the MassTransit receive endpoint a topic endpoint dispatches into: the consumers with their definitions,
/// middleware and observers, raw JSON as the default body format, and faults rethrown to the Kafka loop (which
/// dead-letters them) instead of being swallowed.
/// </summary>
internal static class ReceiveEndpointFactory
{
    public static (IReceiveEndpointDispatcher Dispatcher, int RequiredConcurrency) Create(IBusInstance busInstance, string name,
        IReadOnlyList<Action<IReceiveEndpointConfigurator>> configure)
    {
        var configuration = busInstance.HostConfiguration.CreateReceiveEndpointConfiguration(name);
        var configurator = configuration as IReceiveEndpointConfigurator
                           ?? throw new ConfigurationException($"The receive endpoint configuration of {name} cannot be configured.");

        configurator.ThrowOnSkippedMessages();
        configurator.RethrowFaultedMessages();
        configurator.PublishFaults = false;
        configurator.ConfigureConsumeTopology = false;
        configurator.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
        // Plain JSON values were already deserialized by the contract check: MassTransit gets that object.
        configurator.AddDeserializer(new CheckedJsonDeserializer(), isDefault: true);
        foreach (var action in configure)
        {
            action(configurator);
        }

        configuration.Validate().ThrowIfContainsFailure($"The Kafka topic endpoint {name} is not valid:");
        var dispatcher = new ReceiveEndpointDispatcher(configuration.CreateReceiveEndpointContext());

        // What the endpoint itself was set to hold at once (e.Endpoint(c => c.PrefetchCount = ...)); a batch consumer's
        // needs come from its batch options instead (KafkaRider).
        return (dispatcher, Math.Max(configurator.PrefetchCount, configurator.ConcurrentMessageLimit ?? 0));
    }
}
