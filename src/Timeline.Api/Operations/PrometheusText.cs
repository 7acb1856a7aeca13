using System.Globalization;
using System.Text;

namespace Timeline.Api.Operations;

/// <summary>
/// Writes the Prometheus text exposition format (version 0.0.4): for each metric family one HELP and one TYPE
/// line, then its samples, label values escaped. There is no exporter package to lean on here, and the format
/// is small.
/// </summary>
public sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new();
    private readonly HashSet<string> _families = new(StringComparer.Ordinal);

    /// <summary>Starts a metric family; false (and nothing written) when a family of that name was already written.</summary>
    public bool Family(string name, string type, string? help)
    {
        if (!_families.Add(name))
        {
            return false;
        }

        if (!string.IsNullOrWhiteSpace(help))
        {
            _text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
        }

        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return true;
    }

    /// <summary>One sample: the name (with any _bucket/_sum/_count/_total suffix), its labels, its value.</summary>
    public void Sample(string name, IReadOnlyList<KeyValuePair<string, string>> labels, double value)
    {
        _text.Append(name);
        if (labels.Count > 0)
        {
            _text.Append('{');
            for (var i = 0; i < labels.Count; i++)
            {
                if (i > 0)
                {
                    _text.Append(',');
                }

                _text.Append(labels[i].Key).Append("=\"").Append(EscapeLabel(labels[i].Value)).Append('"');
            }

            _text.Append('}');
        }

        _text.Append(' ').Append(Format(value)).Append('\n');
    }

    /// <summary>A family with a single gauge sample per label set.</summary>
    public void Gauge(string name, string help, IEnumerable<(IReadOnlyList<KeyValuePair<string, string>> Labels, double Value)> samples)
    {
        if (Family(name, "gauge", help))
        {
            foreach (var (labels, value) in samples)
            {
                Sample(name, labels, value);
            }
        }
    }

    public override string ToString() => _text.ToString();

    /// <summary>A metric or label name: letters, digits and underscores, not starting with a digit.</summary>
    public static string Name(string raw)
    {
        var name = new StringBuilder(raw.Length);
        foreach (var c in raw)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || c == ':' ? c : '_');
        }

        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            name.Insert(0, '_');
        }

        return name.ToString();
    }

    public static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string EscapeLabel(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
