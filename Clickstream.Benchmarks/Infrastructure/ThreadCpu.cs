namespace Clickstream.Benchmarks.Infrastructure;

/// <summary>
/// This process's CPU time by thread (Linux /proc/self/task), so a phase can say where its CPU went: the Kafka poll
/// thread, librdkafka's own threads, the .NET thread pool (with its socket I/O thread), GC and the JIT's tier-up. The
/// runtime ends idle threads (the JIT's, the pool's) and starts new ones, and an ended thread's time leaves /proc with
/// it: each thread counts as of its last reading, so <see cref="Sample"/> often (a second apart loses at most that
/// second of a thread that ended). What no group names, and what ended threads did after their last reading, the
/// figures give as "other".
/// </summary>
public sealed class ThreadCpu
{
    /// <summary>The groups, in the order a report gives them.</summary>
    public static readonly string[] Groups = ["poll thread", "librdkafka", "thread pool", "GC", "JIT"];

    private readonly Lock _lock = new();
    private readonly Dictionary<int, (string? Group, long Ticks)> _start;
    private readonly Dictionary<int, (string? Group, long Ticks)> _seen = [];

    private ThreadCpu() => _start = Read();

    /// <summary>Starts counting from the threads' times now.</summary>
    public static ThreadCpu Start() => new();

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

    /// <summary>Reads every thread's time now.</summary>
    public void Sample()
    {
        var now = Read();
        lock (_lock)
        {
            foreach (var (id, thread) in now)
            {
                _seen[id] = thread;
            }
        }
    }

    /// <summary>Seconds per group (in <see cref="Groups"/>' order) since <see cref="Start"/>, as of a sample taken now.</summary>
    public double[] SecondsByGroup(double ticksPerSecond)
    {
        Sample();
        var seconds = new double[Groups.Length];
        lock (_lock)
        {
            foreach (var (id, (group, ticks)) in _seen)
            {
                if (group is not null)
                {
                    // A thread started since counts whole.
                    seconds[Array.IndexOf(Groups, group)] += (ticks - (_start.TryGetValue(id, out var before) ? before.Ticks : 0)) / ticksPerSecond;
                }
            }
        }
        return seconds;
    }

    private static Dictionary<int, (string?, long)> Read()
    {
        var threads = new Dictionary<int, (string?, long)>();
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (int.TryParse(Path.GetFileName(task), out var id) && TryRead(Path.Combine(task, "comm")) is { } name)
            {
                threads[id] = (GroupOf(name.Trim()), CpuMeter.StatTicks(Path.Combine(task, "stat"), children: false));
            }
        }
        return threads;
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
