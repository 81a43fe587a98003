using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Clickstream.ServiceDefaults.Hosting;

/// <summary>
/// How a host process stops, from its first moments: SIGINT, SIGTERM and SIGQUIT are caught from the moment this is
/// created, before any host exists (the host's own console lifetime listens only once it starts, and the standalone run
/// starts PostgreSQL and the broker before that), and every stop, whenever it begins, ends within <see cref="Bound"/>
/// (<c>Ingestion:ShutdownTimeout</c>): what is not done by then is abandoned uncommitted, to be delivered again.
/// A stop asked for by a signal ends with exit code 0.
/// </summary>
public sealed class ProcessStop : IDisposable
{
    private readonly CancellationTokenSource _requested = new();
    private readonly StopDeadline _deadline;
    private readonly PosixSignalRegistration[] _registrations;
    private readonly ILogger _logger;
    private PosixSignal? _signal;

    private ProcessStop(ILoggerFactory loggerFactory, TimeSpan bound, TimeProvider time, Action<int> exit)
    {
        LoggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("Clickstream.Stop");
        _deadline = new StopDeadline(time, () => Expire(exit)) { Bound = bound };
        _registrations = OperatingSystem.IsWindows() || OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()
            ? [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT }.Select(s => PosixSignalRegistration.Create(s, OnSignal))]
            : [];
    }

    /// <summary>
    /// Console logging for what runs before the host's logging exists (the standalone run's embedded servers, these
    /// stop lines), configured from the "Logging" section like the host's.
    /// </summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Canceled on the first stop signal: start-up work passes it on, so a stop while starting ends the start.</summary>
    public CancellationToken Requested => _requested.Token;

    /// <summary>The longest a stop may take, from its beginning to the process's exit.</summary>
    public TimeSpan Bound
    {
        get => _deadline.Bound;
        set => _deadline.Bound = value;
    }

    /// <summary>The exit code of a stop that completed: 0.</summary>
    public int ExitCode => 0;

    /// <summary>Listens for stop signals from now on; <paramref name="configuration"/> gives the bound and the logging settings.</summary>
    public static ProcessStop Listen(IConfiguration configuration) =>
        Listen(configuration, TimeProvider.System, Environment.Exit);

    internal static ProcessStop Listen(IConfiguration configuration, TimeProvider time, Action<int> exit)
    {
        var loggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(logging => logging
            .AddConfiguration(configuration.GetSection("Logging"))
            .AddSimpleConsole(o => o.SingleLine = true));
        return new ProcessStop(loggerFactory, ShutdownTimeout.Read(configuration), time, exit);
    }

    /// <summary>A stop began (a signal, or the host was told to stop): from now the bound runs.</summary>
    public void Begin()
    {
        if (_deadline.Arm())
        {
            HostingLog.Stopping(_logger, Bound);
        }
    }

    /// <summary>Says that the process stopped before its start completed, and returns the exit code.</summary>
    public int StoppedWhileStarting()
    {
        HostingLog.StoppedWhileStarting(_logger);
        return ExitCode;
    }

    /// <summary>The stop completed: the deadline is lifted and the log flushed.</summary>
    public void Dispose()
    {
        _deadline.Dispose();
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
        LoggerFactory.Dispose();
        _requested.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Handled here, not by the runtime's default (which ends the process at once, with 130 or 143).
        context.Cancel = true;
        if (_signal is null)
        {
            _signal = context.Signal;
            HostingLog.ReceivedSignal(_logger, context.Signal.ToString());
        }
        Begin();
        try
        {
            _requested.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Signalled while the process is already past its stop.
        }
    }

    private void Expire(Action<int> exit)
    {
        HostingLog.StopTimedOut(_logger, Bound);
        // Flushes the console queue: the process ends right after.
        LoggerFactory.Dispose();
        exit(_signal is null ? 1 : ExitCode);
    }
}
