"""The supervision cadence (日扫描、周调度、月通报、季分析、年考核): reports computed from live
data by set-based selectors, for any past period, as web pages, PDF and Excel (docs/reports.md).
No models: everything is read from the timestamps of cases, ratings and rectifications."""
