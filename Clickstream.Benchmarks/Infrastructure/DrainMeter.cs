using System.Diagnostics;

namespace Clickstream.Benchmarks.Infrastructure;

/// <summary>
/// Times a drain of <c>expected</c> rows and its CPU and allocations, over the whole drain and over its second half: by
/// then the consumer has stored half the rows, so that half is its warm rate, with less of the start-up JIT in it.
/// </summary>
public sealed class DrainMeter
{
    private static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(0.5);
    private readonly int _expected;
    private TimeSpan _sampled;
    private readonly CpuMeter _cpu;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    // Precise: the cheap count is only brought up to date now and then, and read the same before and after a whole drain.
    private readonly long _allocatedAtStart = GC.GetTotalAllocatedBytes(precise: true);
    private (long Rows, TimeSpan At, CpuSeconds Cpu, long Allocated)? _first;
    private (long Rows, TimeSpan At, CpuSeconds Cpu, long Allocated)? _half;
    private (long Rows, TimeSpan At, CpuSeconds Cpu, long Allocated) _end;

    private DrainMeter(string? postgresDataDirectory, int expected)
    {
        _expected = expected;
        _cpu = CpuMeter.Start(postgresDataDirectory);
    }

    public static DrainMeter Start(string? postgresDataDirectory, int expected) => new(postgresDataDirectory, expected);

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>
    /// Called as rows are stored: the first stored rows end the start-up (time and CPU to the first row), and the first
    /// time half of them are stored the second half's figures start.
    /// </summary>
    public void Observe(long stored)
    {
        if (_clock.Elapsed - _sampled >= SampleInterval)
        {
            _sampled = _clock.Elapsed;
            _cpu.Sample();
        }
        if (_first is null && stored > 0)
        {
            _first = Snapshot(stored);
        }
        if (_half is null && stored * 2 >= _expected)
        {
            _half = Snapshot(stored);
        }
    }

    /// <summary>The drain is over (all stored, or it timed out) with <paramref name="stored"/> rows.</summary>
    public TimeSpan Stop(long stored)
    {
        Observe(stored);
        _end = Snapshot(stored);
        return _end.At;
    }

    /// <summary>
    /// CPU µs/row by process and allocated bytes/row over the whole drain, and the second half's rate and figures, its
    /// process's CPU also by thread group.
    /// </summary>
    public Dictionary<string, double> Figures(string process)
    {
        var rows = Math.Max(_end.Rows, 1);
        var figures = _end.Cpu.PerRow(rows, process);
        figures["allocated bytes/row"] = (double)(_end.Allocated - _allocatedAtStart) / rows;
        if (_first is { } first)
        {
            figures["seconds to first row"] = first.At.TotalSeconds;
            figures[$"{process} CPU s to first row"] = first.Cpu.Process;
        }
        if (_half is { } half && _end.Rows > half.Rows && _end.At > half.At)
        {
            var halfRows = _end.Rows - half.Rows;
            figures["second half: rows/s"] = halfRows / (_end.At - half.At).TotalSeconds;
            var cpu = _end.Cpu - half.Cpu;
            foreach (var (name, value) in cpu.PerRow(halfRows, process).Concat(cpu.PerRowByThread(halfRows, $"{process} CPU µs/row")))
            {
                figures[$"second half: {name}"] = value;
            }
            figures["second half: allocated bytes/row"] = (double)(_end.Allocated - half.Allocated) / halfRows;
        }
        return figures;
    }

    private (long, TimeSpan, CpuSeconds, long) Snapshot(long stored) => (stored, _clock.Elapsed, _cpu.Elapsed(), GC.GetTotalAllocatedBytes(precise: true));
}
