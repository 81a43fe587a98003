using System.Diagnostics;

namespace Clickstream.Tests.Api;

/// <summary>Polls an asynchronous condition; the timeout is a failsafe, not a speed claim.</summary>
internal static class Until
{
    public static async Task<bool> TrueAsync(Func<Task<bool>> condition, TimeSpan failsafe)
    {
        var elapsed = Stopwatch.StartNew();
        while (!await condition())
        {
            if (elapsed.Elapsed > failsafe)
            {
                return false;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
        return true;
    }

    public static Func<Task<bool>> Answers(HttpClient client, string path, System.Net.HttpStatusCode status) => async () =>
    {
        using var response = await client.GetAsync(path);
        return response.StatusCode == status;
    };
}
