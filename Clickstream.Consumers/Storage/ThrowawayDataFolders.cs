using Microsoft.Extensions.Logging;

namespace Clickstream.Consumers.Storage;

/// <summary>
/// Throwaway data folders live under /tmp as <c>clickstream-pg-{owner pid}-{random}</c>: the name records the
/// process whose death makes the folder garbage, so any later start can sweep what a killed run left behind.
/// </summary>
internal static class ThrowawayDataFolders
{
    // Not Path.GetTempPath(): a TMPDIR under /root would be unreachable for the postgres user.
    private const string Parent = "/tmp";
    private const string Prefix = "clickstream-pg-";

    public static string NewPath(int ownerPid) =>
        Path.Combine(Parent, $"{Prefix}{ownerPid}-{Guid.NewGuid().ToString("N")[..12]}");

    public static void SweepStale(ILogger logger)
    {
        foreach (var folder in Directory.EnumerateDirectories(Parent, Prefix + "*"))
        {
            if (OwnerPid(folder) is not { } owner || Unix.IsAlive(owner))
            {
                continue;
            }

            if (RunningPostmaster(folder) is { } postmaster)
            {
                // Its watchdog died with it; stop it now and delete the folder on a later sweep.
                Unix.Signal(postmaster, Unix.SigInt);
                EmbeddedPostgresLog.StoppedOrphan(logger, postmaster, folder);
                continue;
            }

            try
            {
                Directory.Delete(folder, recursive: true);
                EmbeddedPostgresLog.SweptStaleFolder(logger, folder, owner);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                EmbeddedPostgresLog.CouldNotSweep(logger, folder, e.Message);
            }
        }
    }

    private static int? OwnerPid(string folder)
    {
        var rest = Path.GetFileName(folder)[Prefix.Length..];
        var dash = rest.IndexOf('-');
        return dash > 0 && int.TryParse(rest[..dash], out var pid) ? pid : null;
    }

    private static int? RunningPostmaster(string folder)
    {
        try
        {
            var firstLine = File.ReadLines(Path.Combine(folder, "postmaster.pid")).FirstOrDefault();
            if (!int.TryParse(firstLine, out var pid))
            {
                return null;
            }

            // The pid may have been reused since: only a postgres serving this folder is ours to stop.
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            return commandLine.Contains(folder, StringComparison.Ordinal) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
