using System.Diagnostics;

namespace Clickstream.Tests.Infrastructure;

/// <summary>Waits for an outcome that another process brings about. The timeout is a failsafe, not a speed claim.</summary>
public static class Eventually
{
    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan failsafe)
    {
        var elapsed = Stopwatch.StartNew();
        while (!condition())
        {
            if (elapsed.Elapsed > failsafe)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        return true;
    }
}
