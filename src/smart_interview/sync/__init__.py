"""The one door between the device and the backend: httpx client, keyring, local cache. No Qt."""
