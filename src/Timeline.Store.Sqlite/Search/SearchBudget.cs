using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Timeline.Store.Sqlite;

/// <summary>
/// Bounds the work one search may cause before it runs, from how often its words occur in the full-text index (read
/// from FTS5's own vocabulary, kept per data version). Two figures are estimated: the index entries the search reads
/// (one entry is one word in one event: the sum over every word, of a phrase and after NOT too), and the most events it
/// can match (the sum over OR-ed groups of the rarest term that each group needs). A prefix's entries count
/// <see cref="PrefixWeight"/> times: FTS5 merges the position lists of every word the prefix stands for, which on a
/// million events made it about four times as costly per entry as a word. Every search may read at most
/// Timeline:SearchReadLimit entries, half as many when ranked (BM25 reads the positions too); ranking by relevance scores
/// every term of every match, so it may have at most Timeline:SearchRankLimit matches, counted once more for every four
/// terms beyond the first four (16 words joined by OR cost about four times one word per match), and GET /search, which
/// ranks the sources' long texts and the entities too, half as many. Facets, which count over every match, may have at
/// most Timeline:SearchFacetLimit matches, and a list under a category, entity, tag or source filter besides the search,
/// which reads every match's row to check it (a rare tag: 4.2 s for a word in every event), a fifth as many.
/// </summary>
public sealed class SearchBudget(SqliteConnections database, DataVersionCache state, IOptions<TimelineOptions> options) : ISearchBudget
{
    public const int PrefixWeight = 4;

    /// <summary>Entries kept per data version before the cache starts over.</summary>
    private const int MaxCached = 20_000;

    private readonly long _readLimit = options.Value.SearchReadLimit;
    private readonly long _rankLimit = options.Value.SearchRankLimit;
    private readonly long _facetLimit = options.Value.SearchFacetLimit;
    private Counts? _counts;

    /// <summary>How many events hold each word and each prefix's words, for one data version.</summary>
    private sealed class Counts(long dataVersion)
    {
        public long DataVersion { get; } = dataVersion;

        public ConcurrentDictionary<string, long> Documents { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Why the search <paramref name="search"/> may not do <paramref name="work"/>, or null when it may.</summary>
    public async Task<string?> CheckAsync(SearchExpression search, SearchWork work, CancellationToken cancellationToken)
    {
        var version = (await state.GetAsync(cancellationToken)).DataVersion;
        var counts = Volatile.Read(ref _counts);
        if (counts is null || counts.DataVersion != version || counts.Documents.Count > MaxCached)
        {
            counts = new Counts(version);
            Volatile.Write(ref _counts, counts);
        }

        SqliteConnection? connection = null;
        try
        {
            async Task<long> Documents(string key, bool prefix)
            {
                var cacheKey = (prefix ? "p:" : "w:") + key;
                if (counts.Documents.TryGetValue(cacheKey, out var known))
                {
                    return known;
                }

                connection ??= await OpenVocabularyAsync(cancellationToken);
                using var command = connection.CreateCommand();
                command.CommandText = prefix
                    ? "SELECT COALESCE(SUM(doc), 0) FROM temp.timeline_events_vocabulary WHERE term >= $low AND term <= $high;"
                    : "SELECT COALESCE(SUM(doc), 0) FROM temp.timeline_events_vocabulary WHERE term = $low;";
                command.Parameters.AddWithValue("$low", key);
                if (prefix)
                {
                    command.Parameters.AddWithValue("$high", key + char.ConvertFromUtf32(0x10FFFF));
                }

                var found = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
                counts.Documents[cacheKey] = found;
                return found;
            }

            // A term's entries (every word of it) and the most events it can match (its rarest word).
            async ValueTask<(long Entries, long Matches)> Term(SearchTerm term)
            {
                long entries = 0, matches = long.MaxValue;
                var words = term.Words.SelectMany(CjkText.Pieces).ToList(); // as the index holds them: each CJK character a word
                for (var i = 0; i < words.Count; i++)
                {
                    var prefix = term.Prefix && i == words.Count - 1;
                    var weighted = (prefix ? PrefixWeight : 1) * await Documents(Fold(words[i]), prefix);
                    entries += weighted;
                    matches = Math.Min(matches, weighted);
                }

                return (entries, matches == long.MaxValue ? 0 : matches);
            }

            // An expression's entries (every term's, after NOT too), the most events it can match (a term's rarest word, the
            // fewest of what AND joins, the sum of what OR joins, what NOT keeps) and its number of terms.
            async ValueTask<(long Entries, long Matches, int Terms)> Estimate(SearchExpression expression)
            {
                switch (expression)
                {
                    case SearchTerm term:
                        var (termEntries, termMatches) = await Term(term);
                        return (termEntries, termMatches, 1);
                    case SearchExcept except:
                        var (entries, matches, count) = await Estimate(except.Kept);
                        for (var i = 0; i < except.Excluded.Count; i++)
                        {
                            var estimate = await Estimate(except.Excluded[i]);
                            entries += estimate.Entries;
                            count += estimate.Terms;
                        }

                        return (entries, matches, count);
                    case SearchAll or SearchAny:
                        var any = expression is SearchAny;
                        long read = 0, fewest = long.MaxValue, sum = 0;
                        var terms = 0;
                        var operands = any ? ((SearchAny)expression).Operands : ((SearchAll)expression).Operands;
                        for (var i = 0; i < operands.Count; i++)
                        {
                            var (operandEntries, operandMatches, operandTerms) = await Estimate(operands[i]);
                            read += operandEntries;
                            fewest = Math.Min(fewest, operandMatches);
                            sum += operandMatches;
                            terms += operandTerms;
                        }

                        return (read, any ? sum : fewest == long.MaxValue ? 0 : fewest, terms);
                    default:
                        throw new NotSupportedException($"no estimate for {expression.GetType().Name}");
                }
            }

            var (read, matched, terms) = await Estimate(search);

            // Ranking reads the words' positions too (BM25 counts them): half as many entries.
            var ranking = work is SearchWork.Ranking or SearchWork.Search;
            var readLimit = ranking ? _readLimit / 2 : _readLimit;
            if (read > readLimit)
            {
                return Invariant($"the search's words occur too often to search together: it would read about {read:N0} index entries (one entry is one word in one event; a prefix's count {PrefixWeight} times) and a search may read at most {readLimit:N0}{(ranking ? " when it is ranked by relevance" : "")}; leave out the commonest words or use longer prefixes{(ranking ? ", or sort by date" : "")}");
            }

            // BM25 scores every term for every match: beyond four terms, each four more count the matches once more.
            // GET /search ranks the sources' long texts and the entities as well: half as many.
            var ranked = matched * Math.Max(1, (terms + 3) / 4);
            var rankLimit = work == SearchWork.Search ? _rankLimit / 2 : _rankLimit;
            if (ranking && ranked > rankLimit)
            {
                return Invariant($"the search can match about {matched:N0} events (a prefix's matches counting {PrefixWeight} times, and all of them once more for every four terms beyond the first four), too many to rank by relevance: at most {rankLimit:N0} are ranked{(work == SearchWork.Search ? " by GET /search" : "")}; add a word, use a phrase or a longer prefix, or sort by date");
            }

            if (work == SearchWork.Filtered && matched > _facetLimit / 5)
            {
                return Invariant($"the search can match about {matched:N0} events (a prefix's matches counting {PrefixWeight} times), too many to check against the category, entity, tag or source filters: at most {_facetLimit / 5:N0}; add a word, use a phrase or a longer prefix, or leave out those filters");
            }

            if (work == SearchWork.Facets && matched > _facetLimit)
            {
                return Invariant($"the search can match about {matched:N0} events (a prefix's matches counting {PrefixWeight} times), too many to count facets over: at most {_facetLimit:N0}; add a word, use a phrase or a longer prefix");
            }

            return null;
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>A pooled connection with FTS5's vocabulary of the events' index as a temporary table (kept with the physical connection).</summary>
    private async Task<SqliteConnection> OpenVocabularyAsync(CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken);
        using var create = connection.CreateCommand();
        create.CommandText = "CREATE VIRTUAL TABLE IF NOT EXISTS temp.timeline_events_vocabulary USING fts5vocab(main, events_fts, row);";
        await create.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// A word as the index keeps it (unicode61 with remove_diacritics 2): lower case, without its diacritics. The
    /// server runs in invariant globalization mode, where string.Normalize does not decompose, so the model's table
    /// of canonical decompositions does it.
    /// </summary>
    internal static string Fold(string word)
    {
        var decomposed = Timeline.Model.Text.Decompositions.Decompose(word.ToLowerInvariant());
        var folded = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                folded.Append(c);
            }
        }

        return folded.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
