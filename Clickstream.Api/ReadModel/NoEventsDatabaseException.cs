namespace Clickstream.Api.ReadModel;

/// <summary>This API has no events database configured, so stored events cannot be read.</summary>
public sealed class NoEventsDatabaseException()
    : InvalidOperationException("This API has no events database configured (ConnectionStrings__Events or DB_*).");
