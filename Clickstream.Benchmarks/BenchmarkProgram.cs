using System.Runtime.InteropServices;
using Clickstream.Benchmarks.Cli;
using Clickstream.Benchmarks.Reporting;
using Clickstream.Benchmarks.Scenarios;

namespace Clickstream.Benchmarks;

/// <summary><c>dotnet run -c Release --project Clickstream.Benchmarks -- &lt;scenario&gt; [options]</c>.</summary>
public static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (!BenchmarkArguments.TryParse(args, out var options, out var error))
        {
            await Console.Error.WriteLineAsync(error);
            await Console.Error.WriteLineAsync(BenchmarkArguments.Usage);
            return 2;
        }

        // Ctrl+C and SIGTERM (a CI job's timeout, kill) stop the run the same way: every phase ends, the embedded
        // broker and PostgreSQL are stopped and removed, and no report is written.
        using var cancel = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        BenchmarkReport report;
        try
        {
            report = await BenchmarkRunner.RunAsync(options!, Console.Error, cancel.Token);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("Benchmark stopped by a signal; no report written.");
            return 130;
        }
        var files = await report.WriteAsync(options!.ResultsDirectory, CancellationToken.None);
        Console.WriteLine(report.ToMarkdown());
        await Console.Error.WriteLineAsync($"Report written to {files.Markdown} and {files.Json}");
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            cancel.Cancel();
        }
    }
}
