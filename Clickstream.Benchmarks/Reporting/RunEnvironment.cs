using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Clickstream.Benchmarks.Reporting;

/// <summary>Where and on what code a run happened, so figures can be compared with the right ones.</summary>
public static class RunEnvironment
{
    public static string Machine() =>
        $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {RuntimeInformation.OSDescription}, "
        + $"{RuntimeInformation.FrameworkDescription}, server GC {System.Runtime.GCSettings.IsServerGC}"
        + (Debugger.IsAttached ? ", debugger attached" : "");

    /// <summary>The short commit of the working folder (read-only git), or "unknown" outside a clone.</summary>
    public static async Task<string> CommitAsync()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", ["rev-parse", "--short", "HEAD"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (git is null)
            {
                return "unknown";
            }
            var output = await git.StandardOutput.ReadToEndAsync();
            await git.WaitForExitAsync();
            return git.ExitCode == 0 ? output.Trim() : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown"; // no git on this machine
        }
    }
}
