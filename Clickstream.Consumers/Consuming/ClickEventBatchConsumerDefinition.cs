using Clickstream.Consumers.Configuration;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Clickstream.Consumers.Consuming;

/// <summary>Gives <see cref="ClickEventBatchConsumer"/> its batch limits from <see cref="IngestionBatchOptions"/>.</summary>
public sealed class ClickEventBatchConsumerDefinition : ConsumerDefinition<ClickEventBatchConsumer>
{
    private readonly IngestionBatchOptions _options;

    public ClickEventBatchConsumerDefinition(IOptions<IngestionBatchOptions> options)
    {
        _options = options.Value;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ClickEventBatchConsumer> consumerConfigurator, IRegistrationContext context)
    {
        // No message retry: the store retries transient failures itself, and a batch that still throws would be
        // dead-lettered whole by the rider.
        consumerConfigurator.Options<BatchOptions>(o => o
            .SetMessageLimit(_options.MessageLimit)
            .SetTimeLimit(_options.TimeLimit)
            .SetConcurrencyLimit(_options.ConcurrencyLimit));
    }
}
