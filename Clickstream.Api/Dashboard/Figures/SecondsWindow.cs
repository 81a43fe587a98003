namespace Clickstream.Api.Dashboard.Figures;

/// <summary>
/// Which seconds a reading covers. Seconds are whole Unix seconds; a second is closed once the tick after it ran, and
/// only closed seconds are read, so a reading never shows a second half counted.
/// </summary>
/// <param name="LastClosed">The newest closed second.</param>
/// <param name="FirstObserved">The second listening started in: nothing before it was seen.</param>
/// <param name="Seconds">How many seconds back a series goes, <see cref="LastClosed"/> included.</param>
internal readonly record struct SecondsWindow(long LastClosed, long FirstObserved, int Seconds)
{
    /// <summary>The oldest second of the window.</summary>
    public long First => LastClosed - Seconds + 1;

    /// <summary>How many of the last <paramref name="seconds"/> closed seconds were observed (a rate over fewer would understate).</summary>
    public int Observed(int seconds) => (int)Math.Clamp(LastClosed - FirstObserved + 1, 0, seconds);
}
