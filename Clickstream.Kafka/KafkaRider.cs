using Clickstream.Kafka.Backlog;
using Clickstream.Kafka.Configuration;
using Clickstream.Kafka.Consuming;
using Clickstream.Kafka.Consuming.Dispatch;
using Clickstream.Kafka.Producing;
using Clickstream.Kafka.Telemetry;
using Confluent.Kafka;
using MassTransit;
using MassTransit.Transports;
using Microsoft.Extensions.Logging;

namespace Clickstream.Kafka;

/// <summary>Starts and stops the rider's topic endpoints with the bus, and holds its producers.</summary>
internal sealed class KafkaRider : IKafkaRider, IRiderControl
{
    private readonly ClientConfig _host;
    private readonly IReadOnlyList<TopicEndpointDefinition> _definitions;
    private readonly IBusInstance _busInstance;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly KafkaMetrics _metrics;
    private readonly Dictionary<Type, IOwnedProducer> _producers;
    private readonly List<TopicEndpoint> _endpoints = [];
    private readonly List<DeadLetterProducer> _deadLetterProducers = [];

    public KafkaRider(ClientConfig host, IReadOnlyList<TopicEndpointDefinition> definitions, IEnumerable<IProducerRegistration> producers,
        IBusInstance busInstance, ILoggerFactory loggerFactory, TimeProvider clock, KafkaMetrics metrics)
    {
        _clock = clock;
        _metrics = metrics;
        _host = host;
        _definitions = definitions;
        _busInstance = busInstance;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<KafkaRider>();
        _producers = producers.ToDictionary(p => p.MessageType, p => p.Create(host, loggerFactory, clock, metrics.Producers));
    }

    public ITopicProducer<TMessage> GetProducer<TMessage>() where TMessage : class =>
        _producers.TryGetValue(typeof(TMessage), out var producer)
            ? (ITopicProducer<TMessage>)producer
            : throw new InvalidOperationException($"No Kafka producer is registered for {typeof(TMessage).Name}: add rider.AddProducer<{typeof(TMessage).Name}>(topic).");

    public IReadOnlyList<TopicEndpointState> GetEndpointStates()
    {
        lock (_endpoints)
        {
            return _endpoints.Select(e => new TopicEndpointState(e.Name, e.IsRunning, e.Ready.IsCompleted,
                e.Assignment.Select(p => p.Partition.Value).Order().ToList(), e.InFlight, e.PausedPartitions, e.StalledPartitions,
                e.StallAfter)).ToList();
        }
    }

    public IReadOnlyList<KafkaProducerState> GetProducerStates()
    {
        lock (_endpoints)
        {
            return [.. _producers.Values.Select(p => p.State), .. _deadLetterProducers.Select(p => p.State)];
        }
    }

    public long GetUnfetchedBytes(string topic) => LocalBacklog.For(_host.BootstrapServers ?? "", topic).UnfetchedBytes;

    public IEnumerable<EndpointHealthResult> CheckEndpointHealth() => [];

    public RiderHandle Start(CancellationToken cancellationToken = default)
    {
        lock (_endpoints)
        {
            if (_endpoints.Count == 0)
            {
                foreach (var definition in _definitions)
                {
                    var endpoint = CreateEndpoint(definition);
                    _endpoints.Add(endpoint);
                    endpoint.Start();
                }
            }
        }
        return new Handle(this);
    }

    private TopicEndpoint CreateEndpoint(TopicEndpointDefinition definition)
    {
        var settings = definition.Settings;
        var name = $"kafka-{settings.Topic}-{settings.GroupId}";
        var dispatch = ReceiveEndpointFactory.Create(_busInstance, name, definition.EndpointConfiguration);
        // A batch consumer's options are known once the receive endpoint is configured.
        var batchOptions = definition.BatchConsumer?.Options;

        // A batch consumer needs MessageLimit × ConcurrencyLimit messages at once for every batch to fill.
        var required = batchOptions is null ? dispatch.RequiredConcurrency : batchOptions.MessageLimit * batchOptions.ConcurrencyLimit;
        var inFlightLimit = Math.Max(settings.ConcurrentMessageLimit, required);
        if (inFlightLimit > settings.ConcurrentMessageLimit)
        {
            _logger.LogInformation(
                "Topic endpoint {Topic}/{Group}: in-flight limit raised from {Configured} to {Required}, what its consumers hold at once (a batch consumer: MessageLimit × ConcurrencyLimit)",
                settings.Topic, settings.GroupId, settings.ConcurrentMessageLimit, inFlightLimit);
        }

        var consumerConfig = new ConsumerConfig(new Dictionary<string, string>(_host))
        {
            GroupId = settings.GroupId,
            AutoOffsetReset = settings.AutoOffsetReset,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = false,
        };
        foreach (var (key, value) in settings.ConsumerSettings)
        {
            consumerConfig.Set(key, value);
        }

        if (batchOptions is not null && settings.StallAfter <= batchOptions.TimeLimit)
        {
            throw new ConfigurationException($"Kafka topic endpoint {settings.Topic}/{settings.GroupId}: StallAfter ({settings.StallAfter}) must exceed "
                + $"the batch consumer's TimeLimit ({batchOptions.TimeLimit}): a partition would look stalled while a batch fills.");
        }

        var metrics = _metrics.Consumers.Endpoint(settings.Topic, settings.GroupId, settings.DeadLetterTopic);
        var deadLetters = new DeadLetterProducer(ProducerDefaults.Create(_host), settings.DeadLetterTopic, _loggerFactory.CreateLogger<DeadLetterProducer>(),
            metrics, clock: _clock);
        _deadLetterProducers.Add(deadLetters);
        var gate = new MessageGate(definition.MessageType, openEnvelopes: batchOptions is not null, settings.Reader);
        var orderByKey = settings.PreserveKeyOrder && batchOptions is null;
        IMessageDispatch CreateDispatch(MessagesFinished finished, CancellationToken abort) => batchOptions is null
            ? new MessageDispatch(dispatch.Dispatcher, gate, orderByKey, finished, abort)
            : new BatchDispatch(batchOptions, gate, dispatch.Dispatcher, finished, _clock, abort, new BatchActivity(settings.Topic, settings.GroupId));
        var logger = _loggerFactory.CreateLogger<TopicEndpoint>();
        if (batchOptions is not null)
        {
            ConsumingLog.CollectsBatches(logger, $"{settings.Topic}/{settings.GroupId}", batchOptions.MessageLimit, batchOptions.TimeLimit,
                batchOptions.ConcurrencyLimit);
        }
        return new TopicEndpoint(settings, consumerConfig, new TopicCreator(_host, _logger), inFlightLimit, CreateDispatch, deadLetters, _clock, logger,
            metrics);
    }

    /// <summary>Stops like a crash would: in-flight work is abandoned and nothing more is committed (for tests).</summary>
    internal Task AbortAsync() => StopAsync(new CancellationToken(canceled: true));

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        List<TopicEndpoint> endpoints;
        lock (_endpoints)
        {
            endpoints = [.. _endpoints];
            _endpoints.Clear();
            _deadLetterProducers.Clear();
        }
        await Task.WhenAll(endpoints.Select(e => e.StopAsync(cancellationToken)));
        foreach (var endpoint in endpoints)
        {
            await endpoint.DisposeAsync();
        }
        // Past the host's shutdown timeout, what the producers still hold is not waited for.
        var flush = cancellationToken.IsCancellationRequested ? TimeSpan.Zero : TimeSpan.FromSeconds(10);
        foreach (var producer in _producers.Values)
        {
            producer.Close(flush);
        }
    }

    private sealed class Handle(KafkaRider rider) : RiderHandle
    {
        // Endpoints join their groups in the background: a member that gets no partition (more members than
        // partitions) must not hold up the bus. Readiness per endpoint is in GetEndpointStates().
        public Task Ready => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => rider.StopAsync(cancellationToken);
    }
}
