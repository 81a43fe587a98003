using System.Runtime.InteropServices;

namespace Clickstream.Consumers.Storage;

/// <summary>The few POSIX calls that .NET has no managed API for: who we run as, and signals other than SIGKILL.</summary>
internal static partial class Unix
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigUsr1 = 10;

    private const int NoSuchProcess = 3; // ESRCH

    public static bool IsRoot => Environment.UserName == "root" || geteuid() == 0;

    /// <summary>Sends a signal; false when the process no longer exists.</summary>
    public static bool Signal(int pid, int signal) => kill(pid, signal) == 0;

    /// <summary>True while <paramref name="pid"/> names a process, even one we may not signal.</summary>
    public static bool IsAlive(int pid) => kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() != NoSuchProcess;

    [DllImport("libc", SetLastError = true)]
    private static extern uint geteuid();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
