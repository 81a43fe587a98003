using System.Diagnostics.CodeAnalysis;
using System.Net.Mime;
using Clickstream.Kafka.Consuming.Dispatch;
using MassTransit;
using MassTransit.Serialization;

namespace Clickstream.Kafka.Consuming;

/// <summary>
/// The topic endpoints' deserializer for plain JSON. The contract check (<see cref="MessageGate"/>) already
/// deserialized each value to the endpoint's message type; MassTransit gets that object instead of parsing the bytes
/// into a document and deserializing them a second time (the drain profile: ~7 % of the worker's CPU). Anything else
/// (another message type asked for, a message that was not checked, re-serialization) goes to MassTransit's raw JSON
/// deserializer, parsed only then. A batch the endpoint collected (<see cref="CollectedBatch"/>) becomes the consume
/// context of its <see cref="Batch{T}"/> here too.
/// </summary>
internal sealed class CheckedJsonDeserializer : IMessageDeserializer, ISerializerFactory
{
    private static readonly SystemTextJsonRawMessageSerializer Raw = new(RawSerializerOptions.AnyMessageType);

    public ContentType ContentType => SystemTextJsonRawMessageSerializer.JsonContentType;

    public IMessageSerializer CreateSerializer() => Raw;

    public IMessageDeserializer CreateDeserializer() => this;

    public void Probe(ProbeContext context) => Raw.Probe(context);

    public ConsumeContext Deserialize(ReceiveContext receiveContext)
    {
        if (receiveContext.TryGetPayload<CollectedBatch>(out var batch))
        {
            return batch.CreateConsumeContext(receiveContext);
        }
        if (!receiveContext.TryGetPayload<KafkaMessageContext>(out var kafka) || kafka.Value is not { } value)
        {
            return Raw.Deserialize(receiveContext);
        }
        return CreateConsumeContext(receiveContext, value,
            () => Raw.Deserialize(receiveContext.Body, receiveContext.TransportHeaders, receiveContext.InputAddress));
    }

    /// <summary>
    /// The consume context of <paramref name="message"/>, already deserialized. Without <paramref name="parse"/> (a
    /// collected batch, which has no body) no other message type can be read from it.
    /// </summary>
    internal static ConsumeContext CreateConsumeContext(ReceiveContext receiveContext, object message, Func<SerializerContext>? parse = null)
    {
        var messageContext = new RawMessageContext(receiveContext.TransportHeaders, receiveContext.InputAddress, RawSerializerOptions.AnyMessageType);
        return new BodyConsumeContext(receiveContext, new CheckedSerializerContext(messageContext, message, parse));
    }

    public SerializerContext Deserialize(MessageBody body, Headers headers, Uri? destinationAddress = null) =>
        Raw.Deserialize(body, headers, destinationAddress);

    public MessageBody GetMessageBody(string text) => Raw.GetMessageBody(text);

    private sealed class CheckedSerializerContext(MessageContext messageContext, object value, Func<SerializerContext>? parse)
        : SystemTextJsonSerializerContext(SystemTextJsonMessageSerializer.Instance, SystemTextJsonMessageSerializer.Options,
            SystemTextJsonRawMessageSerializer.JsonContentType, messageContext, [], message: value)
    {
        private SerializerContext? _parsed;

        private SerializerContext? Parsed => _parsed ??= parse?.Invoke();

        private SerializerContext Serializer => Parsed
            ?? throw new NotSupportedException("A batch collected by a Kafka topic endpoint has no body to serialize again.");

        public override bool IsSupportedMessageType<T>() => Message is T || Parsed?.IsSupportedMessageType<T>() == true;

        public override bool IsSupportedMessageType(Type messageType) =>
            messageType.IsInstanceOfType(Message) || Parsed?.IsSupportedMessageType(messageType) == true;

        public override bool TryGetMessage<T>(out T? message) where T : class
        {
            message = Message as T;
            if (message is null && Parsed is { } parsed)
            {
                return parsed.TryGetMessage(out message);
            }
            return message is not null;
        }

        public override bool TryGetMessage(Type messageType, [NotNullWhen(true)] out object? message)
        {
            message = messageType.IsInstanceOfType(Message) ? Message : null;
            if (message is null && Parsed is { } parsed)
            {
                return parsed.TryGetMessage(messageType, out message);
            }
            return message is not null;
        }

        public override IMessageSerializer GetMessageSerializer() => Serializer.GetMessageSerializer();

        public override IMessageSerializer GetMessageSerializer(object message, string[] messageTypes) => Serializer.GetMessageSerializer(message, messageTypes);

        public override IMessageSerializer GetMessageSerializer<T>(MessageEnvelope envelope, T message) => Serializer.GetMessageSerializer(envelope, message);
    }
}
