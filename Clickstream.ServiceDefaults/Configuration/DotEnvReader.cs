using System.Text;

namespace Clickstream.ServiceDefaults.Configuration;

/// <summary>Splits a .env text into statements, one at a time; <see cref="DotEnvFile"/> gives them meaning.</summary>
internal sealed class DotEnvReader(string text, string path)
{
    private int _position;
    private int _line = 1;

    /// <summary>The next <c>KEY=value</c>: value null for a bare key; expand false for a single-quoted (literal) value.</summary>
    public (string Key, string? Value, bool Expand)? NextStatement()
    {
        while (_position < text.Length)
        {
            var lineStart = _line;
            SkipSpaces();
            if (AtLineEnd())
            {
                NextLine();
                continue;
            }
            if (Peek() == '#')
            {
                SkipToLineEnd();
                continue;
            }
            if (text.AsSpan(_position).StartsWith("export ", StringComparison.Ordinal))
            {
                _position += "export ".Length;
                SkipSpaces();
            }

            var key = ReadKey(lineStart);
            SkipSpaces();
            if (AtLineEnd())
            {
                NextLine();
                return (key, null, false);
            }
            if (Peek() != '=')
            {
                throw Malformed(lineStart, $"expected '=' after {key}");
            }
            _position++;
            SkipSpaces();
            var (value, expand) = Peek() switch
            {
                '\'' => (ReadQuoted('\'', lineStart), false),
                '"' => (ReadQuoted('"', lineStart), true),
                _ => (ReadUnquoted(), true),
            };
            SkipSpaces();
            if (!AtLineEnd() && Peek() != '#')
            {
                throw Malformed(lineStart, $"unexpected text after the value of {key}");
            }
            SkipToLineEnd();
            return (key, value, expand);
        }
        return null;
    }

    private string ReadKey(int lineStart)
    {
        var start = _position;
        while (_position < text.Length && !char.IsWhiteSpace(text[_position]) && text[_position] is not ('=' or '#' or '\'' or '"'))
        {
            _position++;
        }
        if (_position == start)
        {
            throw Malformed(lineStart, "a line must start with a name (NAME=value)");
        }
        return text[start.._position];
    }

    private string ReadUnquoted()
    {
        var start = _position;
        while (!AtLineEnd() && !(Peek() == '#' && _position > start && char.IsWhiteSpace(text[_position - 1])))
        {
            _position++;
        }
        return text[start.._position].TrimEnd();
    }

    private string ReadQuoted(char quote, int lineStart)
    {
        _position++;
        var value = new StringBuilder();
        while (true)
        {
            if (_position >= text.Length)
            {
                throw Malformed(lineStart, $"the value's {quote} quote is never closed");
            }
            var c = text[_position++];
            if (c == quote)
            {
                return value.ToString();
            }
            if (c == '\n')
            {
                _line++;
            }
            if (c == '\\' && _position < text.Length && (quote == '"' || text[_position] is '\'' or '\\'))
            {
                value.Append(Unescape(text[_position++]));
                continue;
            }
            value.Append(c);
        }
    }

    private static string Unescape(char c) => c switch
    {
        'n' => "\n",
        'r' => "\r",
        't' => "\t",
        'a' => "\a",
        'b' => "\b",
        'f' => "\f",
        'v' => "\v",
        '\\' or '"' or '\'' => c.ToString(),
        _ => "\\" + c,
    };

    private char Peek() => _position < text.Length ? text[_position] : '\n';

    private bool AtLineEnd() => _position >= text.Length || text[_position] == '\n';

    private void SkipSpaces()
    {
        while (_position < text.Length && text[_position] is ' ' or '\t')
        {
            _position++;
        }
    }

    private void SkipToLineEnd()
    {
        while (!AtLineEnd())
        {
            _position++;
        }
        NextLine();
    }

    private void NextLine()
    {
        if (_position < text.Length)
        {
            _position++;
            _line++;
        }
    }

    private DotEnvFormatException Malformed(int line, string problem) =>
        new($"{path}, line {line}: {problem}. Each line is NAME=value, NAME='literal' or NAME=\"escaped\"; # starts a comment.");
}
