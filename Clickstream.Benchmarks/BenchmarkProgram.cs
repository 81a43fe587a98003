using Clickstream.Benchmarks.Cli;
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

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        var report = await BenchmarkRunner.RunAsync(options!, Console.Error, cancel.Token);
        var files = await report.WriteAsync(options!.ResultsDirectory, cancel.Token);
        Console.WriteLine(report.ToMarkdown());
        await Console.Error.WriteLineAsync($"Report written to {files.Markdown} and {files.Json}");
        return 0;
    }
}
