namespace Clickstream.Tests.Infrastructure;

/// <summary>What /proc says about running processes, to check that nothing was left behind.</summary>
public static class LinuxProcesses
{
    public static bool IsRunning(int pid) => Directory.Exists($"/proc/{pid}");

    /// <summary>Pids of the processes whose command line contains <paramref name="text"/> (a data folder, say).</summary>
    public static IReadOnlyList<int> Mentioning(string text)
    {
        var pids = new List<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ').Contains(text, StringComparison.Ordinal))
                {
                    pids.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }

        return pids;
    }
}
