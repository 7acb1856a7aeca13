using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Timeline.Store.Sqlite;

namespace Timeline.Api.Paging;


/// <summary>
/// Opaque keyset cursors. A cursor carries the position of the last item shown and a fingerprint of the
/// query it belongs to, and is signed (HMAC-SHA256) so that a tampered cursor, or one taken from another
/// query, is refused rather than silently giving the wrong page.
/// </summary>
public sealed class CursorCodec(IOptions<TimelineOptions> options)
{
    private const string Version = "1";
    private const int SignatureBytes = 16;
    private readonly byte[] _key = string.IsNullOrEmpty(options.Value.CursorSecret)
        ? RandomNumberGenerator.GetBytes(32)
        : Encoding.UTF8.GetBytes(options.Value.CursorSecret);

    public string Encode(TimelinePosition position, string fingerprint)
    {
        var payload = Encoding.UTF8.GetBytes(string.Join(
            '\n',
            Version,
            fingerprint,
            position.FirstDay,
            position.Precision.ToString(CultureInfo.InvariantCulture),
            position.Id,
            position.Score?.ToString("R", CultureInfo.InvariantCulture) ?? string.Empty));
        var signature = HMACSHA256.HashData(_key, payload).AsSpan(0, SignatureBytes);
        return $"{Base64Url.EncodeToString(payload)}.{Base64Url.EncodeToString(signature)}";
    }

    /// <summary>Decodes a cursor made by <see cref="Encode"/> for the same query; otherwise says why not.</summary>
    public bool TryDecode(string cursor, string fingerprint, out TimelinePosition? position, out string? error)
    {
        position = null;
        error = "the cursor is not one this API issued; use the nextCursor of a previous page unchanged";
        if (cursor.Length > 2048)
        {
            return false;
        }

        var dot = cursor.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == cursor.Length - 1)
        {
            return false;
        }

        byte[] payload;
        byte[] signature;
        try
        {
            payload = Base64Url.DecodeFromChars(cursor.AsSpan(0, dot));
            signature = Base64Url.DecodeFromChars(cursor.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            return false;
        }

        var expected = HMACSHA256.HashData(_key, payload).AsSpan(0, SignatureBytes);
        if (!CryptographicOperations.FixedTimeEquals(expected, signature))
        {
            error = "the cursor has been altered or was issued by another deployment; use the nextCursor of a previous page unchanged";
            return false;
        }

        var parts = Encoding.UTF8.GetString(payload).Split('\n');
        if (parts.Length != 6 || parts[0] != Version
            || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var precision))
        {
            return false;
        }

        double? score = null;
        if (parts[5].Length > 0)
        {
            if (!double.TryParse(parts[5], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                return false;
            }

            score = value;
        }

        if (!string.Equals(parts[1], fingerprint, StringComparison.Ordinal))
        {
            error = "the cursor belongs to a different query; keep the same filters and sort when following nextCursor";
            return false;
        }

        position = new TimelinePosition(parts[2], precision, parts[4], score);
        error = null;
        return true;
    }
}
