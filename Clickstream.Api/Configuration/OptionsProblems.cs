using Microsoft.Extensions.Options;

namespace Clickstream.Api.Configuration;

/// <summary>
/// Options checked by a method that names every problem (one line each, naming the setting), so a bad start reports
/// them all at once rather than one generic line.
/// </summary>
internal static class OptionsProblems
{
    public static OptionsBuilder<T> ValidateProblems<T>(this OptionsBuilder<T> builder, Func<T, IEnumerable<string>> problems)
        where T : class
    {
        builder.Services.AddSingleton<IValidateOptions<T>>(new Validator<T>(builder.Name, problems));
        return builder;
    }

    public static OptionsBuilder<T> ValidateProblems<T, TDependency>(this OptionsBuilder<T> builder, Func<T, TDependency, IEnumerable<string>> problems)
        where T : class
        where TDependency : notnull
    {
        builder.Services.AddSingleton<IValidateOptions<T>>(services =>
            new Validator<T>(builder.Name, options => problems(options, services.GetRequiredService<TDependency>())));
        return builder;
    }

    private sealed class Validator<T>(string? optionsName, Func<T, IEnumerable<string>> problems) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            if (optionsName is not null && name != optionsName)
            {
                return ValidateOptionsResult.Skip;
            }
            return problems(options).ToList() is { Count: > 0 } found ? ValidateOptionsResult.Fail(found) : ValidateOptionsResult.Success;
        }
    }
}
