using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Timeline.Store.Postgres;

/// <summary>
/// Builds the text of one record's tsvector from its columns in C#: each column's words cut and folded by
/// <see cref="SearchText"/>, numbered in order (a phrase is words at consecutive positions), each position weighted by
/// its column (A, B, C or D). Every column starts one position after the last one ends plus one, so a phrase never
/// runs from one column into the next (FTS5 never matches a phrase across columns either). Within PostgreSQL's limits:
/// positions stop at 16383 (later words keep that position: they are found as words, not in phrases), a word keeps its
/// first 256 positions, a word longer than 2046 bytes is left out, and so are new words once the words' text nears 1 MB
/// or the words and their positions together would pass what PostgreSQL's binary input takes (1 MB less one byte,
/// counting 4 bytes for each position, 4 for each word and a byte of alignment; later positions are dropped the same way).
/// </summary>
internal sealed class PostgresTsVector
{
    private const int MaxPosition = 16383;
    private const int MaxPositions = 256;
    private const int MaxLexemeBytes = 2046;
    private const int MaxLexemesBytes = 1_000_000;

    /// <summary>MAXSTRPOS: the most tsvectorrecv takes for the words and their positions together (see <see cref="WriteBinary"/>).</summary>
    private const int MaxDataBytes = (1 << 20) - 1;

    private readonly Dictionary<string, List<int>> _positions = new(StringComparer.Ordinal);
    private int _position;
    private int _bytes;
    private int _data;

    /// <summary>The distinct words the vector holds.</summary>
    public IEnumerable<string> Lexemes => _positions.Keys;

    /// <summary>Adds a column's words with the weight <paramref name="weight"/> (0 = D, 1 = C, 2 = B, 3 = A).</summary>
    public PostgresTsVector Add(string? text, int weight)
    {
        if (string.IsNullOrEmpty(text))
        {
            return this;
        }

        if (_position > 0)
        {
            _position++; // a gap between columns
        }

        foreach (var token in SearchText.Tokens(text))
        {
            _position = Math.Min(_position + 1, MaxPosition);
            if (!_positions.TryGetValue(token.Folded, out var positions))
            {
                var bytes = Encoding.UTF8.GetByteCount(token.Folded);
                if (bytes > MaxLexemeBytes || _bytes + bytes > MaxLexemesBytes || _data + bytes + 1 + 8 > MaxDataBytes)
                {
                    continue;
                }

                _bytes += bytes;
                _data += bytes + 1 + 4; // the word, its alignment and its count of positions (its first position below)
                positions = [];
                _positions.Add(token.Folded, positions);
            }

            if (positions.Count < MaxPositions && (positions.Count == 0 || (positions[^1] >> 2) != _position) && _data + 4 <= MaxDataBytes)
            {
                _data += 4;
                positions.Add((_position << 2) | weight);
            }
        }

        return this;
    }

    /// <summary>The tsvector's text ('word':1A,5B 'other':2A), for a ::tsvector cast or COPY: words hold no quote, backslash, tab or newline.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(_bytes + (_positions.Count * 8));
        foreach (var (lexeme, positions) in _positions)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append('\'').Append(lexeme.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal)).Append("':");
            for (var i = 0; i < positions.Count; i++)
            {
                if (i > 0)
                {
                    text.Append(',');
                }

                text.Append((positions[i] >> 2).ToString(CultureInfo.InvariantCulture)).Append("DCBA"[positions[i] & 3]);
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// Writes the tsvector in PostgreSQL's binary form (what tsvectorsend writes and tsvectorrecv reads, for a binary
    /// COPY): the number of words; then each word's UTF-8 bytes ended by a zero byte, the number of its positions and
    /// each position (its weight in the top two bits), all big-endian. PostgreSQL sorts the words itself.
    /// </summary>
    public void WriteBinary(IBufferWriter<byte> output)
    {
        BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), _positions.Count);
        output.Advance(4);
        foreach (var (lexeme, positions) in _positions)
        {
            var length = Encoding.UTF8.GetByteCount(lexeme);
            var span = output.GetSpan(length + 3 + (2 * positions.Count));
            Encoding.UTF8.GetBytes(lexeme, span);
            span[length] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(span[(length + 1)..], (ushort)positions.Count);
            for (var i = 0; i < positions.Count; i++)
            {
                BinaryPrimitives.WriteUInt16BigEndian(span[(length + 3 + (2 * i))..], (ushort)(((positions[i] & 3) << 14) | (positions[i] >> 2)));
            }

            output.Advance(length + 3 + (2 * positions.Count));
        }
    }
}
