using System.ComponentModel.DataAnnotations;
using Clickstream.Contracts;
using Confluent.Kafka;

namespace Clickstream.ServiceDefaults.Configuration;

/// <summary>
/// The Kafka cluster and topic a Clickstream service uses, bound from the "Kafka" configuration section
/// (<c>Kafka__BootstrapServers</c>, ...; the original service's <c>KAFKA_*</c> names are accepted too).
/// </summary>
public sealed class KafkaOptions
{
    public const string Section = "Kafka";

    /// <summary>host:port,... of the cluster. Empty: the standalone run starts the embedded broker.</summary>
    public string? BootstrapServers { get; set; }

    /// <summary>SASL/PLAIN user name; when set, the client authenticates (SASL_PLAINTEXT unless <see cref="SecurityProtocol"/> says otherwise).</summary>
    public string? SaslUsername { get; set; }

    public string? SaslPassword { get; set; }

    /// <summary>Plaintext, Ssl, SaslPlaintext or SaslSsl. Default: Plaintext, or SaslPlaintext when a SASL user is set.</summary>
    public SecurityProtocol? SecurityProtocol { get; set; }

    /// <summary>The topic click events travel on.</summary>
    [Required]
    public string Topic { get; set; } = Topics.RawEvents;

    /// <summary>The consumer group of the workers that store events.</summary>
    [Required]
    public string GroupId { get; set; } = Topics.IngestorsGroup;

    /// <summary>Any further librdkafka setting, passed through (e.g. <c>Kafka__Settings__ssl.ca.location</c>).</summary>
    public Dictionary<string, string> Settings { get; set; } = new(StringComparer.Ordinal);

    /// <summary>librdkafka settings for consumers only (e.g. <c>Kafka__ConsumerSettings__session.timeout.ms</c>).</summary>
    public Dictionary<string, string> ConsumerSettings { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The client configuration every producer and consumer of the rider starts from.</summary>
    public ClientConfig ToClientConfig(string bootstrapServers)
    {
        var config = new ClientConfig { BootstrapServers = bootstrapServers };
        if (!string.IsNullOrEmpty(SaslUsername))
        {
            config.SecurityProtocol = SecurityProtocol ?? Confluent.Kafka.SecurityProtocol.SaslPlaintext;
            config.SaslMechanism = SaslMechanism.Plain;
            config.SaslUsername = SaslUsername;
            config.SaslPassword = SaslPassword;
        }
        else if (SecurityProtocol is { } protocol)
        {
            config.SecurityProtocol = protocol;
        }
        foreach (var (name, value) in Settings)
        {
            config.Set(name, value);
        }
        return config;
    }
}
