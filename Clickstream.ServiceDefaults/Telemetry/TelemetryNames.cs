namespace Clickstream.ServiceDefaults.Telemetry;

/// <summary>The meters and activity sources every Clickstream host exports.</summary>
public static class TelemetryNames
{
    /// <summary>Clickstream's own meters: <c>Clickstream.Api</c>, <c>Clickstream.Kafka</c>, <c>Clickstream.Consumers</c>.</summary>
    public const string Meters = "Clickstream.*";

    /// <summary>Clickstream's activity sources (the rider's produce and batch spans).</summary>
    public const string Sources = "Clickstream.*";

    /// <summary>MassTransit's own activities and meters.</summary>
    public const string MassTransit = "MassTransit";

    /// <summary>Npgsql's activities (one per command, the COPY included) and its <c>db.client.*</c> meter.</summary>
    public const string Npgsql = "Npgsql";
}
