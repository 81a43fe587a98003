namespace Clickstream.Api.Dashboard;

/// <summary>
/// A database read every open dashboard shares: its result is kept for as long as <c>freshFor</c> says, and viewers
/// arriving while a read runs wait for that read instead of starting another, so the database sees one read whatever
/// the number of dashboards. <c>read</c> turns its failures into a result of their own (an "unavailable" value).
/// </summary>
internal sealed class SharedRead<T>(Func<Task<T>> read, Func<T, TimeSpan> freshFor, TimeProvider time)
    where T : class
{
    private readonly Lock _gate = new();
    private T? _last;
    private DateTimeOffset _lastReadAt;
    private Task<T>? _reading;

    public Task<T> ReadAsync()
    {
        lock (_gate)
        {
            if (_last is not null && time.GetUtcNow() - _lastReadAt < freshFor(_last))
            {
                return Task.FromResult(_last);
            }
            return _reading ??= Task.Run(ReadOnceAsync);
        }
    }

    private async Task<T> ReadOnceAsync()
    {
        try
        {
            var result = await read();
            lock (_gate)
            {
                _last = result;
                _lastReadAt = time.GetUtcNow();
            }
            return result;
        }
        finally
        {
            lock (_gate)
            {
                _reading = null;
            }
        }
    }
}
