using System.ComponentModel.DataAnnotations;

namespace Clickstream.Api.Configuration;

/// <summary>How the API finds out whether the Kafka cluster is reachable (section "Api:Readiness").</summary>
public sealed class ReadinessOptions
{
    public const string Section = "Api:Readiness";

    /// <summary>Time between two metadata requests to the cluster; <c>/health/ready</c> answers from the last one. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one metadata request may take before the cluster counts as unreachable. Default 3 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
