"""OAI-PMH 2.0 provider, without Flask: argument validation per verb, errors, dates, signed stateless
resumption tokens, sets, and a streaming response writer. It reads notices through `Repository`, the small
interface it defines (store/oai.py implements it in SQL).

    provider = Provider(repository, config)
    response = provider.handle([("verb", "ListRecords"), ("metadataPrefix", "oai_dc")])
    response.body  # an iterator of UTF-8 byte chunks
"""
from .errors import OAIError
from .provider import Provider, ProviderConfig, Response
from .repository import Item, Repository, Selection, SetCatalog

__all__ = ["OAIError", "Provider", "ProviderConfig", "Response", "Item", "Repository", "Selection", "SetCatalog"]
