namespace Clickstream.Benchmarks.Infrastructure;

/// <summary>
/// This process's CPU time by thread (Linux /proc/self/task), so a phase can say where its CPU went: the Kafka poll
/// thread, librdkafka's own threads, the .NET thread pool (with its socket I/O thread), GC and the JIT's tier-up. A
/// thread that ended between two readings took its time with it; that time is left in "other", with the unnamed rest.
/// </summary>
public sealed class ThreadCpu
{
    /// <summary>The groups, in the order a report gives them.</summary>
    public static readonly string[] Groups = ["poll thread", "librdkafka", "thread pool", "GC", "JIT"];

    private readonly Dictionary<int, (string? Group, long Ticks)> _threads;

    private ThreadCpu(Dictionary<int, (string? Group, long Ticks)> threads) => _threads = threads;

    public static ThreadCpu Empty { get; } = new([]);

    /// <summary>
    /// The group of a thread by its name (<c>comm</c>, cut to 15 characters); null for one of none, and for the
    /// embedded broker's thread, which CPU figures leave out of the process's already.
    /// </summary>
    public static string? GroupOf(string name) => name switch
    {
        "rdk:mock" => null,
        _ when name.StartsWith("kafka:", StringComparison.Ordinal) => "poll thread",
        _ when name.StartsWith("rdk:", StringComparison.Ordinal) => "librdkafka",
        ".NET TP Worker" or ".NET Sockets" or ".NET Long Runni" => "thread pool",
        ".NET Server GC" or ".NET BGC" or ".NET Background" => "GC",
        ".NET Tiered Com" => "JIT",
        _ => null,
    };

    public static ThreadCpu Read(Func<string, long> statTicks)
    {
        var threads = new Dictionary<int, (string?, long)>();
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (int.TryParse(Path.GetFileName(task), out var id) && TryRead(Path.Combine(task, "comm")) is { } name)
            {
                threads[id] = (GroupOf(name.Trim()), statTicks(Path.Combine(task, "stat")));
            }
        }
        return new ThreadCpu(threads);
    }

    /// <summary>Ticks per group from <paramref name="start"/> to this reading; a thread started meanwhile counts whole.</summary>
    public Dictionary<string, long> Since(ThreadCpu start)
    {
        var groups = Groups.ToDictionary(g => g, _ => 0L);
        foreach (var (id, (group, ticks)) in _threads)
        {
            if (group is not null)
            {
                groups[group] += ticks - (start._threads.TryGetValue(id, out var before) ? before.Ticks : 0);
            }
        }
        return groups;
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // the thread ended meanwhile
        }
    }
}
