using Clickstream.Benchmarks.Infrastructure;

namespace Clickstream.Tests.Benchmarks;

/// <summary>What a drain reports besides its rate: the start-up to the first row, and the second half apart.</summary>
public sealed class DrainMeterTests
{
    [Fact]
    public void A_drain_observed_on_its_way_reports_its_first_row_and_its_second_half_apart()
    {
        var meter = DrainMeter.Start(postgresDataDirectory: null, expected: 1_000);
        meter.Observe(0);
        meter.Observe(200);
        meter.Observe(500);
        var allocated = new byte[1_000 * 100];
        meter.Stop(1_000);

        var figures = meter.Figures("worker");

        Assert.InRange(figures["seconds to first row"], 0, meter.Elapsed.TotalSeconds);
        Assert.True(figures["second half: rows/s"] > 0);
        Assert.True(figures["allocated bytes/row"] >= 100, $"{figures["allocated bytes/row"]} bytes/row after {allocated.Length} bytes");
        Assert.True(figures["second half: allocated bytes/row"] >= 200);
        Assert.Contains("worker CPU µs/row", figures.Keys);
        Assert.Contains("second half: worker CPU µs/row", figures.Keys);
    }

    [Fact]
    public void A_drain_whose_rows_all_came_at_once_has_no_second_half_to_report()
    {
        var meter = DrainMeter.Start(postgresDataDirectory: null, expected: 1_000);
        meter.Stop(1_000);

        var figures = meter.Figures("worker");

        Assert.DoesNotContain("second half: rows/s", figures.Keys);
        // The stop saw the first rows: the start-up lasted the whole drain.
        Assert.Contains("seconds to first row", figures.Keys);
    }

    [Fact]
    public void The_second_half_says_which_threads_spent_the_worker_s_CPU()
    {
        var meter = DrainMeter.Start(postgresDataDirectory: null, expected: 1_000);
        meter.Observe(500);
        // A poll thread spends 50 ms of CPU and lives on until the drain is over, as a poll thread does.
        using (SpendingPollThread.Start("kafka:drain/test"))
        {
            meter.Stop(1_000);
        }

        var figures = meter.Figures("worker");

        Assert.True(figures["second half: worker CPU µs/row (poll thread)"] >= 40, $"{figures["second half: worker CPU µs/row (poll thread)"]} µs/row");
        Assert.All(ThreadCpu.Groups, group => Assert.Contains($"second half: worker CPU µs/row ({group})", figures.Keys));
        Assert.Contains("second half: worker CPU µs/row (other)", figures.Keys);
    }

    [Fact]
    public void A_thread_that_ended_after_a_sample_keeps_the_CPU_it_spent()
    {
        var meter = CpuMeter.Start(postgresDataDirectory: null);
        using (SpendingPollThread.Start("kafka:ended/test"))
        {
            meter.Sample();
        }

        var byThread = meter.Elapsed().ByThread!;

        Assert.True(byThread[Array.IndexOf(ThreadCpu.Groups, "poll thread")] >= 0.04, $"{byThread[0]} s");
    }

    [Theory]
    [InlineData("kafka:raw_event", "poll thread")]
    [InlineData("rdk:broker1", "librdkafka")]
    [InlineData("rdk:main", "librdkafka")]
    [InlineData("rdk:mock", null)]
    [InlineData(".NET TP Worker", "thread pool")]
    [InlineData(".NET Sockets", "thread pool")]
    [InlineData(".NET Server GC", "GC")]
    [InlineData(".NET Tiered Com", "JIT")]
    [InlineData(".NET Timer", null)]
    public void Threads_are_grouped_by_their_names(string name, string? group) => Assert.Equal(group, ThreadCpu.GroupOf(name));

    /// <summary>
    /// A thread named as a topic endpoint's poll thread that has spent 50 ms of CPU (its own, read from /proc, not the
    /// clock's) when <see cref="Start"/> returns, and ends when disposed.
    /// </summary>
    private sealed class SpendingPollThread : IDisposable
    {
        private readonly ManualResetEventSlim _spent = new();
        private readonly ManualResetEventSlim _end = new();
        private readonly Thread _thread;

        private SpendingPollThread(string name)
        {
            _thread = new Thread(() =>
            {
                var start = OwnTicks();
                while (OwnTicks() < start + 5)
                {
                }
                _spent.Set();
                _end.Wait();
            }) { Name = name };
        }

        public static SpendingPollThread Start(string name)
        {
            var thread = new SpendingPollThread(name);
            thread._thread.Start();
            thread._spent.Wait();
            return thread;
        }

        public void Dispose()
        {
            _end.Set();
            _thread.Join();
            _spent.Dispose();
            _end.Dispose();
        }

        // The calling thread's CPU time, in /proc's ticks (10 ms).
        private static long OwnTicks() => CpuMeter.StatTicks("/proc/thread-self/stat", children: false);
    }
}
