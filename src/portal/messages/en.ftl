# Portal interface (English). Every key must also be in vi.ftl.

skip-to-content = Skip to main content
nav-label = Main navigation
nav-home = Home
nav-datasets = Datasets
nav-organizations = Organisations
nav-groups = Themes
nav-about = About
switch-language = Tiếng Việt
breadcrumb-label = You are here
footer-api = API (CKAN)
footer-dcat = DCAT-AP catalogue
footer-powered = Open data published by state agencies. Please cite the source when you reuse it.

home-title = Home
home-intro = Find, read and download the open data published by the province's agencies.
home-stats-label = The portal in figures
home-themes = Themes
home-newest = Newest data
home-updated = Recently updated
home-organizations = Organisations publishing data
stat-datasets = datasets
stat-organizations = organisations
stat-groups = themes
dataset-count = { $count ->
    [one] { $n } dataset
   *[other] { $n } datasets
}

search-label = Search data
search-button = Search
search-heading = Datasets
search-heading-q = Results for “{ $q }”
search-found = { $count ->
    [one] { $n } dataset found
   *[other] { $n } datasets found
}
search-nothing = No dataset found. Try other words or remove a filter.
search-syntax-error = The query is not valid. Remove special characters and try again.
search-api-link = See these results through the API (package_search)
results-label = Results
chips-label = Filters in use
chip-remove = Remove the filter { $filter }
sort-label = Sort by
sort-apply = Apply
sort-relevance = Relevance
sort-name = Name (A–Z)
sort-modified = Last modified
sort-created = Newest
facets-heading = Filter results
facet-organization = Organisations
facet-groups = Themes
facet-linh-vuc = Sector
facet-tags = Tags
facet-res-format = Formats
facet-license = Licences
facet-admin-unit = Administrative units
facet-frequency = Update frequency
facet-show-more = Show more: { $facet }
facet-remove = remove this filter
formats-label = Formats
modified-on = Updated
badge-private = Private
badge-draft = Draft
pager-label = Pages
pager-previous = Previous page
pager-next = Next page
pager-page = Page { $page }

dataset-resources = Data and documents
dataset-no-resources = This dataset has no files yet.
dataset-fields = About this dataset
dataset-cite = Cite this dataset
dataset-activity = Recent activity
dataset-all-activity = See all activity
dataset-organization = Published by
dataset-groups = Themes
dataset-tags = Tags
dataset-licence = Licence
dataset-machine = For machines
dataset-api = Metadata through the API (package_show)
dataset-rdf = DCAT-AP ({ $format })
download = Download
field-created = Created
field-modified = Last updated
citation = { $publisher } ({ $year }). { $title }. { $site }. { $url }. Accessed { $accessed }.
licence-none = No licence given
licence-terms-attribution = Free to use, share and adapt, commercially too, as long as you credit the source.
licence-terms-share-alike = Free to use and adapt, as long as you credit the source and share your work under the same licence.
licence-terms-public-domain = Free to use without conditions.
licence-terms-non-commercial = Free to use with credit to the source, not for commercial purposes.
licence-terms-vn-state = Free to use as long as you credit the source and do not resell the raw data.
licence-terms-unknown = See the licence for the terms of use, or ask the publisher.

resource-unnamed = Unnamed file
resource-preview = Preview
resource-fields = About this file
resource-api = Metadata through the API (resource_show)
resource-format = Format
resource-mimetype = Media type
resource-size = Size
resource-last-modified = Last modified
resource-url = Address
preview-caption = { $title }: the first { $rows } rows
preview-caption-sheet = { $title }, sheet “{ $sheet }”: the first { $rows } rows
preview-sheets = Sheets:
preview-truncated = Only the start of the file is shown. Download it to see all of it.
preview-encoding = Text encoding
preview-none-upload = This file has no preview. Download it to read it.
preview-none-link = This file is on another website and has no preview. Use the download button.

organizations-intro = The province's agencies that publish data on this portal.
groups-intro = Data arranged by the themes of the national open-data catalogue.
group-search-label = Search in { $title }

activity-heading = Activity
activity-none = No activity yet.
activity-new-package = Dataset created
activity-changed-package = Dataset updated
activity-deleted-package = Dataset deleted
activity-other = Other change

about-heading = About
about-portal = The province's open-data portal publishes the data of its state agencies, for citizens, businesses and other agencies to find, read and download.
about-reuse-heading = Reusing the data
about-reuse = Each dataset states its licence. When you reuse data, cite the source: the publisher, the dataset's title, its address and the date you accessed it (every dataset page has a citation line ready).
about-machines-heading = For developers
about-api = CKAN-compatible API (Action API)
about-dcat = DCAT-AP catalogue (Turtle)

login-link = Sign in
login-heading = Sign in
login-name = User name or e-mail
login-password = Password
login-submit = Sign in
login-refused = The user name or the password is wrong.
login-throttled = Too many failed sign-ins. Please try again in 15 minutes.
logout-heading = Sign out
logout-submit = Sign out
logout-not-signed-in = You are not signed in.
tokens-heading = API tokens
tokens-intro = A token lets a program (ckanapi, a script) call the API as you. Keep it as secret as a password.
tokens-created = The new token is shown only this once. Copy it and keep it now.
tokens-create-heading = Create a token
tokens-name = Token name
tokens-create = Create token
tokens-name-missing = Give the token a name.
tokens-list-heading = Your tokens
tokens-none = No token yet.
tokens-last-used = Last used
tokens-never = Never
tokens-revoke = Revoke
csrf-heading = Request refused
csrf-refused = The form has expired or was not sent from this site. Please reload the page and try again.

error-not-found = Page not found
error-not-found-text = The page you asked for does not exist or you may not see it. Try searching the data.
error-internal = Something went wrong
error-internal-text = The portal failed to build this page. Please try again later.
