"""The site's pages: views, forms and URLs of the submission, record and report pages.

The top of the layering (below only `operations` and `config`): a page
turns a request into a call of the layer below (`jobs.services`,
`submissions.actions`, the selectors) and the outcome into a response. The
record actions (`record_actions`, `record_editing`) live here because they
start jobs and change statuses, which the apps below cannot import. The URL
namespaces stay the seed's (`submissions:`, `validation:`, `uid:`).
"""
