using System.Diagnostics;

namespace Clickstream.Consumers.Storage;

/// <summary>
/// A small shell process that starts the postmaster as its child and outlives a killed owner: it polls the owner
/// pid, and once the owner is gone it stops the server and deletes a throwaway folder. This is what leaves no
/// stray server when a test run is aborted with SIGKILL. (PR_SET_PDEATHSIG would not do: it fires when the
/// spawning thread exits, and .NET thread-pool threads come and go.) A living owner stops the server through
/// the watchdog too (<see cref="StopAndRelease"/>), so the cleanup finishes even if the owner is killed
/// halfway through it, as test hosts are right after their ProcessExit handlers start.
/// </summary>
internal sealed class PostmasterWatchdog : IDisposable
{
    // $1 owner pid, $2 server log, $3 throwaway folder or "", then the postmaster's command line.
    // INT and HUP are ignored so a Ctrl+C aimed at the test run cannot cut the cleanup short; postgres
    // installs its own handlers. The owner counts as gone once it is a zombie, too. USR1 from the owner means
    // "stop it, the folder may go". Without that, a living owner keeps the folder: after a failed start it
    // still needs the log and the initialized data. A trapped signal ends `wait` early, hence the loop.
    private const string Script = """
        owner=$1 log=$2 throwaway=$3
        shift 3
        released=
        trap '' INT HUP
        trap 'released=1; kill -INT "$postmaster"' USR1
        : >"$log"
        "$@" </dev/null >>"$log" 2>&1 &
        postmaster=$!
        echo "$postmaster"
        exec </dev/null >>"$log" 2>&1
        owner_alive() { kill -0 "$owner" 2>/dev/null && ! grep -qs '^[0-9]* (.*) Z ' "/proc/$owner/stat"; }
        (
          while owner_alive; do sleep 1; done
          echo "watchdog: owner process $owner is gone, stopping the server"
          kill -INT "$postmaster"
          waited=0
          while [ "$waited" -lt 60 ]; do sleep 1; waited=$((waited + 1)); done
          kill -QUIT "$postmaster"
        ) &
        watcher=$!
        while :; do
          wait "$postmaster"
          kill -0 "$postmaster" 2>/dev/null || break
        done
        kill -KILL "$watcher" 2>/dev/null
        if [ -n "$throwaway" ] && { [ -n "$released" ] || ! owner_alive; }; then rm -rf "$throwaway"; fi
        """;

    private readonly Process shell;

    private PostmasterWatchdog(Process shell, int postmasterPid)
    {
        this.shell = shell;
        PostmasterPid = postmasterPid;
    }

    public int PostmasterPid { get; }

    /// <summary>True once the postmaster has exited and the watchdog has cleaned up after it.</summary>
    public bool HasExited => shell.HasExited;

    public static async Task<PostmasterWatchdog> StartAsync(
        IReadOnlyList<string> postmasterCommandLine,
        int ownerPid,
        string logFile,
        string? throwawayFolder,
        CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var argument in (string[])["-c", Script, "clickstream-pg-watchdog", ownerPid.ToString(), logFile, throwawayFolder ?? ""])
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var argument in postmasterCommandLine)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var shell = Process.Start(startInfo)!;
        var firstLine = await shell.StandardOutput.ReadLineAsync(cancellationToken);
        if (!int.TryParse(firstLine, out var postmasterPid))
        {
            shell.Dispose();
            throw new EmbeddedPostgresException($"The watchdog shell did not start the server (it printed '{firstLine}').");
        }

        return new PostmasterWatchdog(shell, postmasterPid);
    }

    /// <summary>Waits until the postmaster has exited and the watchdog is done; false if that took too long.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await shell.WaitForExitAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Fast shutdown, after which the watchdog deletes a throwaway folder and exits.</summary>
    public void StopAndRelease()
    {
        if (!shell.HasExited)
        {
            Unix.Signal(shell.Id, Unix.SigUsr1);
        }
    }

    /// <summary>Fast shutdown that leaves a throwaway folder to the owner (to read the log, to retry on another port).</summary>
    public void StopKeepingFolder()
    {
        if (!shell.HasExited)
        {
            Unix.Signal(PostmasterPid, Unix.SigInt);
        }
    }

    /// <summary>The last resort when the server ignores a shutdown request.</summary>
    public void KillServer()
    {
        if (!shell.HasExited)
        {
            Unix.Signal(PostmasterPid, Unix.SigKill);
        }
    }

    public void Dispose() => shell.Dispose();
}
