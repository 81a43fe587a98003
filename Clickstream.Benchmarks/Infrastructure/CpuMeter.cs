using System.Diagnostics;
using System.Globalization;

namespace Clickstream.Benchmarks.Infrastructure;

/// <summary>
/// CPU time spent over a measured stretch (Linux /proc): this process without the embedded broker's thread (librdkafka's
/// mock cluster runs in whichever process starts it, on its thread "rdk:mock"), the broker's thread, and the PostgreSQL
/// server's process tree. So a phase's CPU per row is the worker's (or the ceiling's) alone, and PostgreSQL's beside it;
/// the process's share is also split by thread (<see cref="ThreadCpu"/>).
/// </summary>
public sealed class CpuMeter
{
    // USER_HZ: the unit of /proc's utime and stime, 100 on every Linux this runs on.
    private const double TicksPerSecond = 100;

    private readonly string? _postgresDataDirectory;
    private readonly CpuSeconds _start;
    private readonly ThreadCpu _threads;

    private CpuMeter(string? postgresDataDirectory)
    {
        _postgresDataDirectory = postgresDataDirectory;
        _threads = ThreadCpu.Start();
        _start = Read(postgresDataDirectory);
    }

    public static CpuMeter Start(string? postgresDataDirectory) => new(postgresDataDirectory);

    /// <summary>CPU seconds since <see cref="Start"/>, the process's split by thread group.</summary>
    public CpuSeconds Elapsed() => (Read(_postgresDataDirectory) - _start) with { ByThread = _threads.SecondsByGroup(TicksPerSecond) };

    /// <summary>Reads the threads' times (see <see cref="ThreadCpu"/>): call it every second or so while a phase runs.</summary>
    public void Sample() => _threads.Sample();

    private static CpuSeconds Read(string? postgresDataDirectory)
    {
        using var self = Process.GetCurrentProcess();
        var process = self.TotalProcessorTime.TotalSeconds;
        var broker = 0.0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (ReadOrEmpty(Path.Combine(task, "comm")).Trim() == "rdk:mock")
            {
                broker += StatTicks(Path.Combine(task, "stat"), children: false) / TicksPerSecond;
            }
        }
        var postgres = 0.0;
        if (postgresDataDirectory is not null && ProcessMemory.FindPostmaster(postgresDataDirectory) is { } postmaster)
        {
            // Backends that ended are in the postmaster's children's times; those alive are counted one by one.
            postgres = StatTicks($"/proc/{postmaster}/stat", children: true) / TicksPerSecond
                + ProcessMemory.ChildrenOf(postmaster).Sum(pid => StatTicks($"/proc/{pid}/stat", children: false)) / TicksPerSecond;
        }
        return new CpuSeconds(process - broker, broker, postgres);
    }

    /// <summary>
    /// CPU time in /proc's ticks (10 ms) from a <c>stat</c> file (a process's, or a thread's under <c>task/</c>): user and
    /// system, and with <paramref name="children"/> those of its ended children too; 0 when it is gone.
    /// </summary>
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat, cutime and cstime 16 and 17; the command name before
    // them (field 2, in parentheses) may hold spaces, so fields are counted from after its closing parenthesis.
    public static long StatTicks(string path, bool children)
    {
        var stat = ReadOrEmpty(path);
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return 0;
        }
        var fields = stat[(close + 2)..].Split(' ');
        long Field(int number) => long.Parse(fields[number - 3], NumberStyles.None, CultureInfo.InvariantCulture);
        return Field(14) + Field(15) + (children ? Field(16) + Field(17) : 0);
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ""; // the thread or process ended meanwhile
        }
    }
}

/// <summary>
/// CPU seconds: this process without the broker, the embedded broker's thread, PostgreSQL's processes; and the process's
/// by thread group (<see cref="ThreadCpu.Groups"/>), when measured.
/// </summary>
public readonly record struct CpuSeconds(double Process, double Broker, double Postgres)
{
    public double[]? ByThread { get; init; }

    public static CpuSeconds operator -(CpuSeconds end, CpuSeconds start) =>
        new(end.Process - start.Process, end.Broker - start.Broker, end.Postgres - start.Postgres)
        {
            ByThread = end.ByThread is { } e && start.ByThread is { } s ? e.Zip(s, (a, b) => a - b).ToArray() : end.ByThread,
        };

    /// <summary>The figures a phase reports for <paramref name="rows"/> rows, in µs of CPU per row.</summary>
    public Dictionary<string, double> PerRow(double rows, string process) => new()
    {
        [$"{process} CPU µs/row"] = Process / rows * 1e6,
        ["postgres CPU µs/row"] = Postgres / rows * 1e6,
        ["broker CPU µs/row"] = Broker / rows * 1e6,
    };

    /// <summary>
    /// The process's CPU µs per <paramref name="rows"/> by thread group, named "<paramref name="figure"/> (group)"; the
    /// rest (unnamed threads, threads that ended) as "other".
    /// </summary>
    public Dictionary<string, double> PerRowByThread(double rows, string figure)
    {
        var figures = new Dictionary<string, double>();
        if (ByThread is not { } byThread)
        {
            return figures;
        }
        for (var i = 0; i < byThread.Length; i++)
        {
            figures[$"{figure} ({ThreadCpu.Groups[i]})"] = byThread[i] / rows * 1e6;
        }
        figures[$"{figure} (other)"] = (Process - byThread.Sum()) / rows * 1e6;
        return figures;
    }
}
