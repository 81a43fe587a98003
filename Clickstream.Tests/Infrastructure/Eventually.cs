using System.Diagnostics;

namespace Clickstream.Tests.Infrastructure;

/// <summary>
/// The one way tests wait: poll observable state (rows, offsets, a status code, a log line) until it holds. The
/// failsafe bounds a test that would otherwise hang; it is not a speed claim, so it is generous.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultFailsafe = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>True as soon as <paramref name="condition"/> holds; false if it still does not after the failsafe.</summary>
    public static Task<bool> TrueAsync(Func<bool> condition, TimeSpan? failsafe = null) =>
        TrueAsync(() => Task.FromResult(condition()), failsafe);

    /// <inheritdoc cref="TrueAsync(Func{bool}, TimeSpan?)"/>
    public static async Task<bool> TrueAsync(Func<Task<bool>> condition, TimeSpan? failsafe = null)
    {
        var elapsed = Stopwatch.StartNew();
        while (!await condition())
        {
            if (elapsed.Elapsed > (failsafe ?? DefaultFailsafe))
            {
                return false;
            }
            await Task.Delay(Interval);
        }
        return true;
    }

    /// <summary>Waits until <paramref name="condition"/> holds, or fails the test with <paramref name="failure"/> (built then).</summary>
    public static async Task HoldsAsync(Func<bool> condition, Func<string> failure, TimeSpan? failsafe = null) =>
        Assert.True(await TrueAsync(condition, failsafe), failure());

    /// <inheritdoc cref="HoldsAsync(Func{bool}, Func{string}, TimeSpan?)"/>
    public static async Task HoldsAsync(Func<Task<bool>> condition, Func<string> failure, TimeSpan? failsafe = null) =>
        Assert.True(await TrueAsync(condition, failsafe), failure());
}
