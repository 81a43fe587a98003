namespace Clickstream.Api.Ingestion;

/// <summary>
/// Problem-details errors keyed as the client wrote the fields: <c>user_id</c> for a single event,
/// <c>[3].user_id</c> for the fourth event of a batch, <c>$</c> for the body as a whole.
/// </summary>
internal sealed class ValidationErrors
{
    public const string Body = "$";

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public bool Has(string key) => _errors.ContainsKey(key);

    public void Add(string key, string message)
    {
        if (!_errors.TryGetValue(key, out var messages))
        {
            _errors[key] = messages = [];
        }
        messages.Add(message);
    }

    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public static ValidationErrors Of(string key, string message)
    {
        var errors = new ValidationErrors();
        errors.Add(key, message);
        return errors;
    }
}
