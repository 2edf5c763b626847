from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# Depends on 0008 until branch `ids` (0009_text_ids) is on main; then on 0009.
class Migration(migrations.Migration):
    dependencies = [('verdict', '0008_tool_panel')]

    initial = False

    operations = [
        ops.AddField(
            model_name='SyncCheckpoint',
            name='token',
            field=fields.TextField(null=True, description="A stream source's resume token (Contentful's sync token)"),
        ),
    ]
