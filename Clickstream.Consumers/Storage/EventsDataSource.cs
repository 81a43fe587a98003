using Npgsql;

namespace Clickstream.Consumers.Storage;

/// <summary>Builds the <see cref="NpgsqlDataSource"/> of the events database.</summary>
public static class EventsDataSource
{
    /// <summary>
    /// A data source whose connections run with <c>synchronous_commit = on</c> whatever the server's default: Kafka
    /// offsets are committed once the database said commit, so that commit must be on disk (or the standby).
    /// </summary>
    public static NpgsqlDataSource Create(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var options = builder.ConnectionStringBuilder.Options;
        builder.ConnectionStringBuilder.Options = string.IsNullOrWhiteSpace(options)
            ? "-c synchronous_commit=on"
            : options + " -c synchronous_commit=on";
        builder.ConnectionStringBuilder.ApplicationName ??= "clickstream-consumers";
        return builder.Build();
    }
}
