using Clickstream.Tests.Infrastructure;
using System.Collections.Concurrent;
using Clickstream.Contracts;
using Clickstream.Kafka.Consuming;
using MassTransit;

namespace Clickstream.Tests.Rider;

/// <summary>What a test consumer saw: each event with its Kafka coordinates, and each batch's size.</summary>
internal sealed class Received
{
    private readonly ConcurrentQueue<(ClickEvent Event, KafkaMessageContext Kafka)> _messages = new();
    private readonly ConcurrentQueue<(int Size, BatchCompletionMode Mode)> _batches = new();

    public IReadOnlyList<(ClickEvent Event, KafkaMessageContext Kafka)> Messages => _messages.ToArray();

    public IReadOnlyList<int> BatchSizes => _batches.Select(b => b.Size).ToArray();

    public IReadOnlyList<(int Size, BatchCompletionMode Mode)> Batches => _batches.ToArray();

    public int Count => _messages.Count;

    public void Add(ConsumeContext<ClickEvent> context) => _messages.Enqueue((context.Message, context.Kafka()));

    public void AddBatch(Batch<ClickEvent> batch) => _batches.Enqueue((batch.Length, batch.Mode));

    public async Task WaitForAsync(Func<Received, bool> condition, TimeSpan? failsafe = null)
    {
        await Eventually.HoldsAsync(() => condition(this),
            () => $"The consumer did not see what was expected within the failsafe bound (saw {Count} messages).", failsafe);
    }
}

internal sealed class RecordingConsumer(Received received) : IConsumer<ClickEvent>
{
    public Task Consume(ConsumeContext<ClickEvent> context)
    {
        received.Add(context);
        return Task.CompletedTask;
    }
}

internal sealed class RecordingBatchConsumer(Received received) : IConsumer<Batch<ClickEvent>>
{
    public Task Consume(ConsumeContext<Batch<ClickEvent>> context)
    {
        received.AddBatch(context.Message);
        foreach (var message in context.Message)
        {
            received.Add(message);
        }
        return Task.CompletedTask;
    }
}

internal sealed class RecordingBatchConsumerDefinition : ConsumerDefinition<RecordingBatchConsumer>
{
    public const int MessageLimit = 500;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<RecordingBatchConsumer> consumerConfigurator, IRegistrationContext context)
    {
        consumerConfigurator.Options<BatchOptions>(o => o.SetMessageLimit(MessageLimit).SetTimeLimit(TimeSpan.FromSeconds(1)));
    }
}
