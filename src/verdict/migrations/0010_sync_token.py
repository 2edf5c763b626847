from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('verdict', '0009_text_ids')]

    initial = False

    operations = [
        ops.AddField(
            model_name='SyncCheckpoint',
            name='token',
            field=fields.TextField(null=True, description="A stream source's resume token (Contentful's sync token)"),
        ),
    ]
