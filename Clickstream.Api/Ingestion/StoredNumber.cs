namespace Clickstream.Api.Ingestion;

/// <summary>
/// JSON numbers PostgreSQL 15's jsonb can store. jsonb keeps numbers as <c>numeric</c>, whose range is narrower than
/// JSON's: <c>1e200000</c> is valid JSON and refused by jsonb (22003), so it is a 400 here rather than a dead letter later.
/// The bounds were found by experiment on PostgreSQL 15.18, and StoredNumberTests checks them against the server:
/// at most 131072 digits before the decimal point (the first significant digit's power of ten is at most 131071:
/// <c>9.9999e131071</c> is stored, <c>1e131072</c> refused), at most 16383 after it, counted as written, trailing zeros
/// and zero itself included (<c>1e-16383</c> and <c>0e-16383</c> stored, <c>1.5e-16383</c> and <c>0e-16384</c> refused),
/// and an exponent below 1073741823 in magnitude whatever the digits (<c>0e1073741823</c> is refused).
/// </summary>
internal static class StoredNumber
{
    public const int MaxDigitsBeforePoint = 131_072;
    public const int MaxDigitsAfterPoint = 16_383;

    // numeric_in refuses |exponent| >= INT_MAX / 2 before it looks at the digits.
    private const long MaxExponent = int.MaxValue / 2 - 1;

    /// <summary>Whether jsonb takes <paramref name="number"/>, the UTF-8 text of a number the JSON parser accepted.</summary>
    public static bool IsStorable(ReadOnlySpan<byte> number)
    {
        var i = number.Length > 0 && number[0] == '-' ? 1 : 0;
        var integerStart = i;
        while (i < number.Length && IsDigit(number[i]))
        {
            i++;
        }
        var integer = number[integerStart..i];

        ReadOnlySpan<byte> fraction = [];
        if (i < number.Length && number[i] == '.')
        {
            var fractionStart = ++i;
            while (i < number.Length && IsDigit(number[i]))
            {
                i++;
            }
            fraction = number[fractionStart..i];
        }

        long exponent = 0;
        if (i < number.Length && (number[i] == 'e' || number[i] == 'E'))
        {
            if (!TryReadExponent(number[(i + 1)..], out exponent))
            {
                return false;
            }
        }

        // The display scale: digits after the point as written, less the exponent; checked for zero too.
        if (fraction.Length - exponent > MaxDigitsAfterPoint)
        {
            return false;
        }

        var first = integer.IndexOfAnyExcept((byte)'0');
        long leadingPower;
        if (first >= 0)
        {
            leadingPower = integer.Length - 1 - first + exponent;
        }
        else if (fraction.IndexOfAnyExcept((byte)'0') is var firstInFraction and >= 0)
        {
            leadingPower = -1 - firstInFraction + exponent;
        }
        else
        {
            return true; // zero: numeric stores it with weight 0, whatever the exponent said
        }
        return leadingPower < MaxDigitsBeforePoint;
    }

    private static bool TryReadExponent(ReadOnlySpan<byte> text, out long exponent)
    {
        exponent = 0;
        var negative = text.Length > 0 && text[0] == '-';
        if (text.Length > 0 && (text[0] == '-' || text[0] == '+'))
        {
            text = text[1..];
        }
        var significant = text.IndexOfAnyExcept((byte)'0');
        text = significant < 0 ? [] : text[significant..];
        if (text.Length > 10)
        {
            return false; // beyond any bound below, and beyond a long's digits once summed
        }
        foreach (var digit in text)
        {
            exponent = exponent * 10 + (digit - '0');
        }
        if (negative)
        {
            exponent = -exponent;
        }
        return Math.Abs(exponent) <= MaxExponent;
    }

    private static bool IsDigit(byte c) => c is >= (byte)'0' and <= (byte)'9';
}
