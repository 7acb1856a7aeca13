using System.Collections.Concurrent;
using System.Globalization;
using Timeline.Model.Search;

namespace Timeline.Model.Store.Engine;

/// <summary>
/// The rules of <see cref="ISearchBudget"/>, the same in both engines; each engine only says how many events of its
/// full-text index hold a word, or the words a prefix begins (SQLite: FTS5's vocabulary; PostgreSQL: its table of terms).
/// <para>
/// Two figures are estimated: the index entries the search reads (one entry is one word in one event: the sum over every
/// word, of a phrase and after NOT too), and the most events it can match (the sum over OR-ed groups of the rarest term
/// that each group needs). A prefix's entries count <see cref="PrefixWeight"/> times: FTS5 merges the position lists of
/// every word the prefix stands for, which on a million events made it about four times as costly per entry as a word.
/// Every search may read at most Timeline:SearchReadLimit entries, half as many when ranked (BM25 reads the positions
/// too); ranking by relevance scores every term of every match, so it may have at most Timeline:SearchRankLimit
/// matches, counted once more for every four terms beyond the first four (16 words joined by OR cost about four times
/// one word per match), and GET /search, which ranks the sources' long texts and the entities too, half as many.
/// Facets, which count over every match, may have at most Timeline:SearchFacetLimit matches, and a list under a
/// category, entity, tag or source filter besides the search, which reads every match's row to check it (a rare tag:
/// 4.2 s for a word in every event), a fifth as many.
/// </para>
/// </summary>
public sealed class SearchBudgetRules(long readLimit, long rankLimit, long facetLimit)
{
    public const int PrefixWeight = 4;

    /// <summary>Counts kept per data version before the cache starts over.</summary>
    private const int MaxCached = 20_000;

    private Counts? _counts;

    public long ReadLimit { get; } = readLimit;

    public long RankLimit { get; } = rankLimit;

    public long FacetLimit { get; } = facetLimit;

    /// <summary>How many events hold each word and each prefix's words, for one data version.</summary>
    private sealed class Counts(long dataVersion)
    {
        public long DataVersion { get; } = dataVersion;

        public ConcurrentDictionary<string, long> Documents { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>
    /// <see cref="CheckAsync(SearchExpression, SearchWork, long, Func{string, bool, Task{long}})"/> with the counts read on
    /// a connection that <paramref name="open"/> opens when the first count is not cached, and that is closed after.
    /// </summary>
    public async Task<string?> CheckAsync<TConnection>(
        SearchExpression search, SearchWork work, long dataVersion, Func<Task<TConnection>> open, Func<TConnection, string, bool, Task<long>> count)
        where TConnection : class, IAsyncDisposable
    {
        TConnection? connection = null;
        try
        {
            return await CheckAsync(search, work, dataVersion, async (word, prefix) => await count(connection ??= await open(), word, prefix));
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Why <paramref name="search"/> may not do <paramref name="work"/>, or null when it may. <paramref name="count"/>
    /// gives how many events hold a folded word (false) or any word a folded prefix begins (true); its answers are kept
    /// for the data version <paramref name="dataVersion"/>.
    /// </summary>
    public async Task<string?> CheckAsync(SearchExpression search, SearchWork work, long dataVersion, Func<string, bool, Task<long>> count)
    {
        var counts = Volatile.Read(ref _counts);
        if (counts is null || counts.DataVersion != dataVersion || counts.Documents.Count > MaxCached)
        {
            counts = new Counts(dataVersion);
            Volatile.Write(ref _counts, counts);
        }

        async Task<long> Documents(string word, bool prefix)
        {
            var cacheKey = (prefix ? "p:" : "w:") + word;
            if (counts.Documents.TryGetValue(cacheKey, out var known))
            {
                return known;
            }

            var found = await count(word, prefix);
            counts.Documents[cacheKey] = found;
            return found;
        }

        // A term's entries (every word of it) and the most events it can match (its rarest word).
        async ValueTask<(long Entries, long Matches)> Term(SearchTerm term)
        {
            long entries = 0, matches = long.MaxValue;
            var words = SearchText.Lexemes(term); // as the index holds them: folded, each CJK character a word
            for (var i = 0; i < words.Count; i++)
            {
                var prefix = term.Prefix && i == words.Count - 1;
                var weighted = (prefix ? PrefixWeight : 1) * await Documents(words[i], prefix);
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
        var readLimit = ranking ? ReadLimit / 2 : ReadLimit;
        if (read > readLimit)
        {
            return Invariant($"the search's words occur too often to search together: it would read about {read:N0} index entries (one entry is one word in one event; a prefix's count {PrefixWeight} times) and a search may read at most {readLimit:N0}{(ranking ? " when it is ranked by relevance" : "")}; leave out the commonest words or use longer prefixes{(ranking ? ", or sort by date" : "")}");
        }

        // BM25 scores every term for every match: beyond four terms, each four more count the matches once more.
        // GET /search ranks the sources' long texts and the entities as well: half as many.
        var ranked = matched * Math.Max(1, (terms + 3) / 4);
        var rankLimit = work == SearchWork.Search ? RankLimit / 2 : RankLimit;
        if (ranking && ranked > rankLimit)
        {
            return Invariant($"the search can match about {matched:N0} events (a prefix's matches counting {PrefixWeight} times, and all of them once more for every four terms beyond the first four), too many to rank by relevance: at most {rankLimit:N0} are ranked{(work == SearchWork.Search ? " by GET /search" : "")}; add a word, use a phrase or a longer prefix, or sort by date");
        }

        if (work == SearchWork.Filtered && matched > FacetLimit / 5)
        {
            return Invariant($"the search can match about {matched:N0} events (a prefix's matches counting {PrefixWeight} times), too many to check against the category, entity, tag or source filters: at most {FacetLimit / 5:N0}; add a word, use a phrase or a longer prefix, or leave out those filters");
        }

        if (work == SearchWork.Facets && matched > FacetLimit)
        {
            return Invariant($"the search can match about {matched:N0} events (a prefix's matches counting {PrefixWeight} times), too many to count facets over: at most {FacetLimit:N0}; add a word, use a phrase or a longer prefix");
        }

        return null;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
